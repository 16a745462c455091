//! The project's error: what went wrong, in words for the user. A failed tensor operation from
//! candle passes through unchanged; everything the tool itself refuses (a setting out of bounds, a
//! corrupt file, an architecture from another space) is [`Error::Invalid`].

/// An error of this library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value the tool refuses, with the message a user sees.
    #[error("{0}")]
    Invalid(String),
    /// A tensor operation failed.
    #[error(transparent)]
    Tensor(#[from] candle_core::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Tensor code (nn, kernels, proxies) speaks candle's error; a refusal keeps its message there.
impl From<Error> for candle_core::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Tensor(t) => t,
            Error::Invalid(message) => candle_core::Error::Msg(message),
        }
    }
}

/// Returns early with [`Error::Invalid`] and a formatted message.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::Error::Invalid(format!($($arg)*)))
    };
}

/// An [`Error::Invalid`] with a formatted message.
#[macro_export]
macro_rules! invalid {
    ($($arg:tt)*) => {
        $crate::Error::Invalid(format!($($arg)*))
    };
}
