//! Where candidates train: the CPU (candle, in every build) or a GPU (crate::gpu natively,
//! WebGPU in the page). One choice, named the same in the CLI's `--compute` and the page's
//! `compute=` setting.

crate::named_enum! {
    /// The compute a search trains its candidates on.
    #[derive(Default)]
    pub enum Compute: "compute" {
        /// A hardware GPU when there is one; the CPU otherwise (a software adapter does not count).
        Auto = "auto" => "Auto (a hardware GPU, else CPU)",
        /// The GPU, software adapters included; the CPU, with the reason said, when there is none.
        Gpu = "gpu" | "webgpu" => "GPU (WebGPU, any adapter)",
        /// The CPU.
        #[default]
        Cpu = "cpu" => "CPU",
    }
}
