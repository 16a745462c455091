//! The reference's targets stored for the bundled batches (static/targets): what the page trains
//! towards without the reference's weights, the same targets as computing them, and refused for
//! another batch or when corrupt.

// Native only: these tests read the bundled files.
#![cfg(not(target_arch = "wasm32"))]

use evrsnas::assets::{sha256_hex, targets_path, BatchChoice, DirSource, Verified};
use evrsnas::rmi::stored;
use evrsnas::{Arch, Kernels, Reference, RmiOptions, RmiTargets, Space};

fn assets() -> Verified<DirSource> {
    Verified::open(DirSource(concat!(env!("CARGO_MANIFEST_DIR"), "/../static").into())).expect("static/ assets")
}

#[test]
fn stored_targets_are_the_bundled_references_on_each_bundled_batch() -> evrsnas::Result<()> {
    let assets = assets();
    let weights = assets.reference()?;
    let reference = Reference::from_safetensors(&weights, Kernels::Fast)?;
    let arch = Arch::parse(
        Space::Nb201,
        "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|",
    )?;
    // One step: on another CPU the stored targets (recorded on this one) round differently from
    // those computed there, and every further step amplifies that, as it does the kernels' own.
    let mut options = RmiOptions::default();
    options.config.steps = 1;
    for choice in BatchChoice::ALL {
        let bytes = assets.read(&targets_path(*choice))?;
        let batch = assets.batch(*choice)?;
        let header = stored::header(&bytes)?;
        assert_eq!(
            header.reference_sha256,
            sha256_hex(&weights),
            "{choice}: computed from another reference"
        );
        assert_eq!(
            (header.examples, header.classes, header.depth),
            (batch.len(), reference.classes(), reference.depth())
        );
        let loaded = RmiTargets::from_stored(&bytes, &batch, Kernels::Fast)?.values()?;
        let computed = RmiTargets::new(&reference, &batch.tensor()?)?.values()?;
        assert_eq!(loaded.labels, computed.labels, "{choice}");
        assert_eq!(loaded.images, computed.images, "{choice}");
        for (l, c) in loaded.unit_grams.iter().zip(&computed.unit_grams) {
            let worst = l.iter().zip(c).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(worst <= 1e-5, "{choice}: a unit Gram value off by {worst}");
        }
        // A candidate trains to the same score towards either.
        let from_stored = RmiTargets::from_stored(&bytes, &batch, Kernels::Fast)?;
        let from_reference = RmiTargets::new(&reference, &batch.tensor()?)?;
        let a = evrsnas::rmi::score(&arch, &from_stored, &options, 0)?.rmi;
        let b = evrsnas::rmi::score(&arch, &from_reference, &options, 0)?.rmi;
        assert!((a - b).abs() <= 1e-4, "{choice}: {a} against {b}");
    }
    Ok(())
}

#[test]
fn stored_targets_are_refused_for_another_batch_or_when_corrupt() -> evrsnas::Result<()> {
    let assets = assets();
    let bytes = assets.read(&targets_path(BatchChoice::Cifar10))?;
    let other = assets.batch(BatchChoice::Cifar10And100)?;
    let refused = |bytes: &[u8], batch| {
        RmiTargets::from_stored(bytes, batch, Kernels::Fast)
            .err()
            .map(|e| e.to_string())
    };
    assert!(refused(&bytes, &other).unwrap().contains("another batch"));
    let batch = assets.batch(BatchChoice::Cifar10)?;
    assert!(refused(&bytes[..bytes.len() - 4], &batch)
        .unwrap()
        .contains("corrupt stored targets"));
    assert!(refused(&bytes[..10], &batch)
        .unwrap()
        .contains("corrupt stored targets"));
    let mut nan = bytes.clone();
    let at = nan.len() - 20 * 4 - 8;
    nan[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(refused(&nan, &batch).unwrap().contains("not a number"));
    assert!(!stored::is_stored(&assets.reference()?));
    Ok(())
}
