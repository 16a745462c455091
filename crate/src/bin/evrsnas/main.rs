//! The `evrsnas` command line (native only).
//!
//! Exit codes: 0 success, 2 error (bad input, missing or corrupt asset, failed run).

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The page is the wasm front end; this stub only lets `cargo test --target wasm32-unknown-unknown`
/// build the package.
#[cfg(target_arch = "wasm32")]
fn main() {}
