//! `evrsnas assets`: rebuild the bundled assets in static/ from the public data.

use crate::common::AnyResult;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct AssetsArgs {
    /// The public data folder (../shared/data).
    #[arg(long, required_unless_present = "manifest_only")]
    shared: Option<PathBuf>,
    /// The unpacked foolbox 3.3.4 wheel (holds foolbox/data/*.png).
    #[arg(long, required_unless_present = "manifest_only")]
    foolbox: Option<PathBuf>,
    /// Output folder (static/).
    #[arg(long)]
    out: PathBuf,
    /// Only rewrite what is derived from the files in --out, the reference's stored targets on
    /// the bundled batches, and MANIFEST.json (after training the reference or regenerating the
    /// fidelity figures).
    #[arg(long)]
    manifest_only: bool,
}

pub fn run(args: AssetsArgs) -> AnyResult<()> {
    use evrsnas::devtools::assets_build::{build, write_manifest, write_targets};
    match (&args.shared, &args.foolbox, args.manifest_only) {
        (Some(shared), Some(foolbox), false) => eprintln!("{}", build(shared, foolbox, &args.out)?),
        _ => {
            write_targets(&args.out)?;
            let manifest = write_manifest(&args.out)?;
            eprintln!(
                "wrote {}/MANIFEST.json ({} files)",
                args.out.display(),
                manifest.files.len()
            );
        }
    }
    Ok(())
}
