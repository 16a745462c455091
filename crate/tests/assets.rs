//! The bundled assets: figures spot-checked against ../shared/data, integrity checks, regeneration.

// Native only: these tests read files, run the CLI or need the native-only parts of the library.
#![cfg(not(target_arch = "wasm32"))]

use evrsnas::assets::{BatchChoice, DirSource, GroundTruth, Manifest, Verified};
use evrsnas::space::nb201;
use evrsnas::Result;
use evrsnas::{Arch, Device, Metric, Space};
use std::path::{Path, PathBuf};

fn static_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../static"))
}

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data")).join(rel)
}

fn assets() -> Verified<DirSource> {
    Verified::open(DirSource(static_dir())).expect("static/ assets")
}

fn nb201_cost(index: usize, device: Device) -> f64 {
    let book = assets().costs(Space::Nb201).unwrap();
    let arch = Arch::new(Space::Nb201, nb201::genes_of_index(index).unwrap()).unwrap();
    book.table(device, Metric::Latency).unwrap().cost(&arch).unwrap().value
}

#[test]
fn nb201_spot_checks_match_hw_nas_bench() {
    assert_eq!(nb201_cost(0, Device::Pixel3), 3.6058499999999998);
    assert_eq!(nb201_cost(0, Device::Raspi4), 10.481976820010459);
    assert_eq!(nb201_cost(1, Device::EdgeGpu), 6.547689437866211);
    assert_eq!(nb201_cost(1, Device::EdgeTpu), 1.4389883610001561);
}

#[test]
fn nb201_tables_equal_every_measured_figure_and_flag_estimates() -> Result<()> {
    let book = assets().costs(Space::Nb201)?;
    let text = std::fs::read_to_string(shared("hwnasbench_nb201_cifar10_latency.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), nb201::CELLS);
    for &device in Device::ALL {
        let col = header
            .iter()
            .position(|h| *h == format!("{device}_latency_ms"))
            .unwrap();
        let table = book.table(device, Metric::Latency)?;
        for (i, row) in rows.iter().enumerate() {
            let cost = table.cost(&Arch::new(Space::Nb201, nb201::genes_of_index(i)?)?)?;
            match row[col] {
                "" => assert!(!cost.measured && cost.value > 0.0, "{device} {i}"),
                v => assert!(cost.measured && cost.value == v.parse::<f64>().unwrap(), "{device} {i}"),
            }
        }
        if let Some(fit) = &table.header.fit {
            assert!(fit.kendall_tau > 0.85 && fit.mape_percent < 5.0, "{device}: {fit:?}");
        }
    }
    assert!(
        "energy".parse::<Metric>().is_err(),
        "no energy table is bundled, so there is no energy choice"
    );
    Ok(())
}

#[test]
fn fbnet_table_reproduces_the_5000_measured_architectures() -> Result<()> {
    let book = assets().costs(Space::Fbnet)?;
    let text = std::fs::read_to_string(shared("hwnasbench_fbnet_cifar100_help5000.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let ops = header.iter().position(|h| *h == "ops").unwrap();
    let mut n = 0;
    for line in lines {
        let row: Vec<&str> = line.split(',').collect();
        let arch = Arch::parse(Space::Fbnet, row[ops])?;
        for device in [Device::Eyeriss, Device::Fpga, Device::Pixel3, Device::Raspi4] {
            let col = header
                .iter()
                .position(|h| *h == format!("{device}_latency_ms"))
                .unwrap();
            let want: f64 = row[col].parse().unwrap();
            let got = book.table(device, Metric::Latency)?.cost(&arch)?.value;
            assert!(
                (got - want).abs() < 1e-9 * want.max(1.0),
                "{device} sample {n}: {got} vs {want}"
            );
        }
        n += 1;
    }
    assert_eq!(n, 5000);
    let err = book.table(Device::EdgeGpu, Metric::Latency).unwrap_err().to_string();
    assert!(err.contains("edgegpu") && err.contains("not available"), "{err}");
    Ok(())
}

#[test]
fn ground_truth_matches_the_benchmark() -> Result<()> {
    let truth = GroundTruth::decode(&assets().read(evrsnas::assets::TRUTH)?)?;
    assert_eq!(truth.cifar10.len(), nb201::CELLS);
    assert!((truth.cifar10[0] - 85.86333).abs() < 1e-3);
    assert!((truth.cifar100[1] - 70.29333).abs() < 1e-3);
    let best = truth.cifar10.iter().cloned().fold(0.0f32, f32::max);
    assert!((best - 94.3733).abs() < 1e-3 && truth.cifar10[6111] == best);
    Ok(())
}

#[test]
fn batches_hold_the_foolbox_images() -> Result<()> {
    let a = assets();
    let small = a.batch(BatchChoice::Cifar10)?;
    let both = a.batch(BatchChoice::Cifar10And100)?;
    assert_eq!((small.len(), both.len()), (20, 40));
    // foolbox's 20 CIFAR-10 images are test images 0–19: compare with the exact test file.
    let test = std::fs::read(shared("cifar10_convnetjs/cifar10_test_first1000.bin")).unwrap();
    for i in 0..20 {
        let record = &test[i * 3073 + 1..(i + 1) * 3073];
        assert_eq!(&small.pixels[i * 3072..(i + 1) * 3072], record, "image {i}");
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

#[test]
fn integrity_failures_name_the_file() {
    let dir = std::env::temp_dir().join(format!("evrsnas-integrity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    copy_dir(&static_dir(), &dir);
    let path = "costs/fbnet.bin";
    let bytes = std::fs::read(dir.join(path)).unwrap();
    let open = || Verified::open(DirSource(dir.clone())).unwrap();
    // Truncated.
    std::fs::write(dir.join(path), &bytes[..bytes.len() - 1]).unwrap();
    let e = open().costs(Space::Fbnet).unwrap_err().to_string();
    assert!(e.contains(path) && e.contains("bytes"), "{e}");
    // Altered, same size.
    let mut altered = bytes.clone();
    *altered.last_mut().unwrap() ^= 1;
    std::fs::write(dir.join(path), &altered).unwrap();
    let e = open().costs(Space::Fbnet).unwrap_err().to_string();
    assert!(e.contains(path) && e.contains("checksum"), "{e}");
    // Missing.
    std::fs::remove_file(dir.join(path)).unwrap();
    let e = open().costs(Space::Fbnet).unwrap_err().to_string();
    assert!(e.contains("fbnet.bin"), "{e}");
    // Corrupt manifest.
    std::fs::write(dir.join(evrsnas::assets::MANIFEST), b"{").unwrap();
    assert!(Verified::open(DirSource(dir.clone())).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn manifest_lists_every_asset_and_static_stays_within_budget() {
    let m = Manifest::parse(&std::fs::read(static_dir().join("MANIFEST.json")).unwrap()).unwrap();
    let total: usize = m.files.iter().map(|f| f.bytes).sum();
    assert!(total <= 6 * 1024 * 1024, "static/ holds {total} bytes");
    let a = assets();
    for f in &m.files {
        a.read(&f.path).unwrap();
    }
}

/// Regeneration: the asset tool rebuilds the same bytes. Needs the foolbox wheel unpacked at
/// $EVRSNAS_FOOLBOX (`cargo make test` downloads it and sets the variable).
#[test]
fn asset_tool_rebuilds_identical_bytes() {
    let Some(foolbox) = std::env::var_os("EVRSNAS_FOOLBOX") else {
        eprintln!("EVRSNAS_FOOLBOX not set: regeneration not checked (cargo make test sets it)");
        return;
    };
    let out = std::env::temp_dir().join(format!("evrsnas-regen-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    evrsnas::devtools::assets_build::build(&shared(""), Path::new(&foolbox), &out).unwrap();
    let fresh = Manifest::parse(&std::fs::read(out.join("MANIFEST.json")).unwrap()).unwrap();
    let bundled = Manifest::parse(&std::fs::read(static_dir().join("MANIFEST.json")).unwrap()).unwrap();
    assert!(fresh.files.len() >= 7);
    for f in &fresh.files {
        assert_eq!(
            Some(f),
            bundled.files.iter().find(|b| b.path == f.path),
            "{} differs from the bundled one",
            f.path
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
}
