//! The WGSL kernels, one entry point each, grouped in modules that share their bindings. Every
//! module starts with `wgsl/prelude.wgsl` (the per-dispatch `Dims` uniform and the index helpers).

macro_rules! wgsl {
    ($file:literal) => {
        concat!(include_str!("wgsl/prelude.wgsl"), include_str!(concat!("wgsl/", $file)))
    };
}

/// The kernel modules, compiled once per device.
pub(super) const MODULES: [(&str, &str); 9] = [
    ("conv", wgsl!("conv.wgsl")),
    ("batch_norm", wgsl!("batch_norm.wgsl")),
    ("batch_norm_backward", wgsl!("batch_norm_backward.wgsl")),
    ("pointwise", wgsl!("pointwise.wgsl")),
    ("linear", wgsl!("linear.wgsl")),
    ("linear_bias", wgsl!("linear_bias.wgsl")),
    ("cka", wgsl!("cka.wgsl")),
    ("loss", wgsl!("loss.wgsl")),
    ("sgd", wgsl!("sgd.wgsl")),
];

/// One compute entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    ConvForward,
    ConvBackward,
    BnForward,
    BnBackward,
    ReluForward,
    ReluBackward,
    AddForward,
    Accumulate,
    AccumulateBoth,
    Pool3Forward,
    Pool3Backward,
    Pool2Forward,
    Pool2Backward,
    GapForward,
    GapBackward,
    LinearForward,
    LinearBackwardData,
    LinearBackwardWeight,
    LinearBackwardBias,
    CkaCentre,
    CkaGram,
    CkaValue,
    CkaMix,
    CkaCentreBackward,
    CrossEntropy,
    Record,
    Sgd,
}

impl Kernel {
    pub const ALL: [Kernel; 27] = [
        Kernel::ConvForward,
        Kernel::ConvBackward,
        Kernel::BnForward,
        Kernel::BnBackward,
        Kernel::ReluForward,
        Kernel::ReluBackward,
        Kernel::AddForward,
        Kernel::Accumulate,
        Kernel::AccumulateBoth,
        Kernel::Pool3Forward,
        Kernel::Pool3Backward,
        Kernel::Pool2Forward,
        Kernel::Pool2Backward,
        Kernel::GapForward,
        Kernel::GapBackward,
        Kernel::LinearForward,
        Kernel::LinearBackwardData,
        Kernel::LinearBackwardWeight,
        Kernel::LinearBackwardBias,
        Kernel::CkaCentre,
        Kernel::CkaGram,
        Kernel::CkaValue,
        Kernel::CkaMix,
        Kernel::CkaCentreBackward,
        Kernel::CrossEntropy,
        Kernel::Record,
        Kernel::Sgd,
    ];

    /// (module, entry point).
    pub(super) fn entry(self) -> (&'static str, &'static str) {
        use Kernel::*;
        match self {
            ConvForward => ("conv", "conv_forward"),
            ConvBackward => ("conv", "conv_backward"),
            BnForward => ("batch_norm", "bn_forward"),
            BnBackward => ("batch_norm_backward", "bn_backward"),
            ReluForward => ("pointwise", "relu_forward"),
            ReluBackward => ("pointwise", "relu_backward"),
            AddForward => ("pointwise", "add_forward"),
            Accumulate => ("pointwise", "accumulate"),
            AccumulateBoth => ("pointwise", "accumulate_both"),
            Pool3Forward => ("pointwise", "pool3_forward"),
            Pool3Backward => ("pointwise", "pool3_backward"),
            Pool2Forward => ("pointwise", "pool2_forward"),
            Pool2Backward => ("pointwise", "pool2_backward"),
            GapForward => ("pointwise", "gap_forward"),
            GapBackward => ("pointwise", "gap_backward"),
            LinearForward => ("linear", "linear_forward"),
            LinearBackwardData => ("linear", "linear_backward_data"),
            LinearBackwardWeight => ("linear", "linear_backward_weight"),
            LinearBackwardBias => ("linear_bias", "linear_backward_bias"),
            CkaCentre => ("cka", "cka_centre"),
            CkaGram => ("cka", "cka_gram"),
            CkaValue => ("cka", "cka_value"),
            CkaMix => ("cka", "cka_mix"),
            CkaCentreBackward => ("cka", "cka_centre_backward"),
            CrossEntropy => ("loss", "cross_entropy"),
            Record => ("loss", "record"),
            Sgd => ("sgd", "sgd_step"),
        }
    }

    pub(super) fn index(self) -> usize {
        Kernel::ALL.iter().position(|&k| k == self).unwrap_or(0)
    }
}
