//! The complexity prior in the fitness, through the command line: its default weight, a weight
//! given, and none for RMI-NAS as published.

// Native only: these tests run the CLI and read ../shared.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::cli::{assert_fails_clearly, evrsnas, tiny_search_args};

#[test]
fn the_fitness_adds_the_complexity_prior_and_rmi_nas_as_published_has_none() {
    // fitness = rmi + w·complexity − λ·|cost − T|/T, with the default w and with w given.
    let fitness_parts = |v: &serde_json::Value| {
        let (best, config) = (&v["best"], &v["config"]);
        let (t, lambda) = (
            config["threshold"].as_f64().unwrap(),
            config["lambda"].as_f64().unwrap(),
        );
        let penalty = lambda * (best["cost"].as_f64().unwrap() - t).abs() / t;
        let prior = best["fitness"].as_f64().unwrap() - best["rmi"].as_f64().unwrap() + penalty;
        (
            prior,
            best["complexity"].as_f64().unwrap(),
            config["prior"].as_f64().unwrap(),
        )
    };
    let search = |extra: &[&str]| {
        let out = evrsnas(&[&tiny_search_args("plain")[..], extra].concat());
        assert!(
            out.status.success(),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        fitness_parts(&serde_json::from_slice(&out.stdout).unwrap())
    };
    let (prior, complexity, w) = search(&[]);
    assert_eq!(w, 0.2, "the default weight");
    assert!((0.0..=1.0).contains(&complexity), "{complexity}");
    assert!(
        (prior - w * complexity).abs() < 1e-9,
        "prior term {prior} against {w} × {complexity}"
    );
    let (prior, complexity, w) = search(&["--prior", "1.5"]);
    assert_eq!(w, 1.5);
    assert!((prior - 1.5 * complexity).abs() < 1e-9);
    // RMI-NAS as published ranks by its score alone (here on a tiny network and batch).
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");
    let reference = format!("{shared}/resnet20_akamaster/resnet20_cifar10_akamaster.safetensors");
    let train = format!("{shared}/cifar10_train");
    let preset = [
        "--preset",
        "rmi-nas",
        "--reference",
        &reference,
        "--train-batch",
        &train,
        "--train-images",
        "64",
    ];
    let (prior, _, w) = search(&[&preset[..], &["--keep-best", "8", "--nb201-cells", "1"]].concat());
    assert_eq!((w, prior.abs() < 1e-9), (0.0, true));
    // The score command says each architecture's complexity: the all-3×3 cell is the largest.
    let out = evrsnas(&[
        "score", "--space", "nb201", "--arch", "15624", "--arch", "0", "--steps", "0", "--json",
    ]);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let all_conv = lines
        .iter()
        .find(|l| l["arch"].as_str().unwrap().matches("nor_conv_3x3").count() == 6);
    assert!(all_conv.is_none_or(|l| l["complexity"].as_f64().unwrap() > 0.99));
    assert!(lines
        .iter()
        .all(|l| (0.0..=1.0).contains(&l["complexity"].as_f64().unwrap())));
    assert_fails_clearly("search --space nb201 --device pixel3 --threshold 5 --prior 4", "prior");
    assert_fails_clearly("search --space nb201 --device pixel3 --threshold 5 --prior -1", "prior");
}
