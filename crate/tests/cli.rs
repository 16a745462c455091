//! The command line: output formats, and bad input giving one clear line and exit code 2.

// Native only: these tests read files, run the CLI or need the native-only parts of the library.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::cli::{assert_fails_clearly, evrsnas, tiny_search_args, TINY};
use std::process::{Command, Output};

/// Runs `args` followed by [`TINY`]; requires success and one JSON value on stdout, returned
/// beside the raw bytes.
fn tiny_json(args: &[&str]) -> (Vec<u8>, serde_json::Value) {
    let out = evrsnas(&[args, TINY].concat());
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"));
    (out.stdout, v)
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let search = "search --space nb201 --device pixel3 --threshold 5";
    for (command_line, needle) in [
        (
            "search --space resnet --device pixel3 --threshold 5",
            "unknown search space",
        ),
        ("search --space nb201 --device tpu9 --threshold 5", "unknown device"),
        ("search --space nb201 --device pixel3 --threshold -1", "threshold"),
        ("search --space nb201 --device pixel3 --threshold NaN", "threshold"),
        ("search --space nb201 --device pixel3 --threshold 0", "threshold"),
        ("search --space nb201 --device pixel3 --threshold inf", "threshold"),
        (&format!("{search} --metric power"), "unknown metric"),
        (&format!("{search} --compute tpu"), "unknown compute 'tpu'"),
        (
            &format!("{search} --metric energy"),
            "unknown metric 'energy' (expected latency)",
        ),
        // One set of bounds (the schema's), the same messages as the page's.
        (
            &format!("{search} --population 2"),
            "population must be an integer in 3..=500, got 2",
        ),
        (
            &format!("{search} --population 3 --tournament 4"),
            "tournament (4) must not exceed the population (3)",
        ),
        (
            &format!("{search} --seed 1e20"),
            "seed must be an integer in 0..=9007199254740991, got '1e20'",
        ),
        (
            "search --space nb201 --device pixel3 --threshold 1e-310",
            "threshold must be a number in [0.001, 1000000], got 1e-310",
        ),
        (
            &format!("{search} --nb201-channels 1000000000"),
            "nb201 channels must be an integer in 1..=64",
        ),
        (&format!("{search} --steps 501"), "steps must be an integer in 0..=500"),
        ("search --space fbnet --device edgegpu --threshold 5", "not available"),
        (&format!("{search} --assets /nonexistent"), "MANIFEST.json"),
        (&format!("{search} --population 1"), "population"),
        (&format!("{search} --replicates 0"), "replicates"),
        (
            concat!(
                "train-reference --data ",
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/data/cifar10_convnetjs/cifar10_test_first1000.bin",
                " --out /nonexistent/x.safetensors --init /nonexistent/resnet.safetensors"
            ),
            "cannot read /nonexistent/resnet.safetensors",
        ),
        (
            "train-reference --data /nonexistent --out /nonexistent/x.safetensors --threads 0",
            "--threads must be at least 1",
        ),
        (
            "score --space nb201 --arch |conv~0|+|none~0|none~1|+|none~0|none~1|none~2| --json",
            "unknown NAS-Bench-201 op",
        ),
        ("score --space fbnet --arch k3_e1 --json", "22 layers"),
        ("score --space nb201 --arch 15625 --json", "out of range"),
        ("score --space nb201 --archs-file /nonexistent --json", "cannot read"),
        ("eval-reference --data /nonexistent", "cannot read"),
        (
            "pareto --space nb201 --device pixel3 --schedule screened",
            "Pareto mode trains every candidate",
        ),
        (
            "pareto --space nb201 --device pixel3 --threshold 0",
            "threshold must be",
        ),
        ("pick --front /nonexistent --threshold 5", "cannot read"),
        ("pick --front Cargo.toml --threshold 5", "not a front saved by"),
    ] {
        assert_fails_clearly(command_line, needle);
    }
}

#[test]
fn score_prints_one_json_line_per_architecture() {
    let out = evrsnas(&[
        "score",
        "--space",
        "nb201",
        "--arch",
        "0",
        "--arch",
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
        "--steps",
        "1",
        "--nb201-channels",
        "4",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["index"], 0);
    assert_eq!(lines[1]["index"], 1);
    assert_eq!(lines[0]["costs"]["pixel3"]["latency"], 3.6058499999999998);
    assert_eq!(lines[1]["costs"]["edgegpu"]["latency"], 6.547689437866211);
    let rmi = lines[0]["rmi"].as_f64().unwrap();
    assert!((0.0..=3.0).contains(&rmi));
}

#[test]
fn search_json_has_the_documented_shape_and_is_reproducible() {
    let mut args = tiny_search_args("screened");
    args.extend(["--seed", "3"]);
    let a = evrsnas(&args);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let best = &v["best"];
    for key in ["arch", "rmi", "cost", "fitness", "feasible"] {
        assert!(!best[key].is_null(), "best.{key} missing: {v}");
    }
    assert!(best["index"].as_u64().unwrap() < 15625);
    // The screened schedule: every candidate screened untrained, the better half trained.
    assert!(v["evaluations"].as_u64().unwrap() >= 3);
    assert!(v["screenings"].as_u64().unwrap() > v["evaluations"].as_u64().unwrap());
    // The confirmation round: the four finalists were trained twice more; the winner is one.
    let evaluations = v["evaluations"].as_u64().unwrap();
    assert_eq!(v["trials"].as_u64().unwrap(), evaluations + 2 * evaluations.min(4));
    assert_eq!(best["replicates"], 3);
    assert!(v["seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(v["config"]["device"], "pixel3");
    let history = v["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0]["best_fitness"].is_number() && history[0]["mean_fitness"].is_number());
    let b = evrsnas(&args);
    let w: serde_json::Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_eq!(v["best"], w["best"], "same seed, same result");
    assert_eq!(v["history"], w["history"]);
}

#[test]
fn search_halving_screens_every_candidate_at_a_quarter_of_k() {
    // K = 8: each generation's new candidates train 2 steps, the better half 8.
    let mut args = tiny_search_args("halving");
    let k = args.iter().position(|a| *a == "--steps").unwrap() + 1;
    args[k] = "8";
    let out = evrsnas(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["config"]["evolution"]["screen"],
        serde_json::json!({"steps": 2, "keep": 0.5})
    );
    let (screenings, evaluations) = (v["screenings"].as_u64().unwrap(), v["evaluations"].as_u64().unwrap());
    // Half of every generation's screened candidates (rounded up) train for K.
    assert!(
        evaluations >= 2 && screenings > evaluations,
        "{screenings} screened, {evaluations} trained"
    );
    // The text output says how far the screen trained.
    args.retain(|a| *a != "--json");
    let text = String::from_utf8(evrsnas(&args).stdout).unwrap();
    assert!(text.contains(&format!("{screenings} screened at 2 steps")), "{text}");
}

#[test]
fn pareto_prints_a_front_that_pick_answers_budgets_from() {
    let dir = std::env::temp_dir().join(format!("evrsnas-pareto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (stdout, v) = tiny_json(&[
        "pareto",
        "--space",
        "nb201",
        "--device",
        "pixel3",
        "--json",
        "--threshold",
        "9",
    ]);
    let front = v["front"].as_array().unwrap();
    assert!(!front.is_empty(), "{v}");
    for key in ["arch", "index", "rmi", "cost", "measured", "replicates"] {
        assert!(!front[0][key].is_null(), "front[0].{key} missing: {v}");
    }
    let costs: Vec<f64> = front.iter().map(|m| m["cost"].as_f64().unwrap()).collect();
    assert!(costs.windows(2).all(|w| w[0] <= w[1]), "cheapest first: {costs:?}");
    assert_eq!(v["config"]["evolution"]["mode"], "pareto");
    // The budget's answer: within it, confirmed candidates first, then by fitness; `pick` gives the
    // same from the saved file, without training.
    let candidates = v["candidates"].as_array().unwrap();
    assert!(candidates.len() >= front.len());
    let pick = &v["pick"];
    assert!(pick["cost"].as_f64().unwrap() <= 9.0, "{v}");
    assert!(candidates.contains(pick));
    let saved = dir.join("front.json");
    std::fs::write(&saved, &stdout).unwrap();
    let picked = evrsnas(&["pick", "--front", saved.to_str().unwrap(), "--threshold", "9", "--json"]);
    assert!(picked.status.success(), "{}", String::from_utf8_lossy(&picked.stderr));
    let p: serde_json::Value = serde_json::from_slice(&picked.stdout).unwrap();
    assert_eq!(p, v["pick"]);
    let none = evrsnas(&["pick", "--front", saved.to_str().unwrap(), "--threshold", "0.5"]);
    assert!(String::from_utf8_lossy(&none.stdout).contains("every candidate costs more"));
    // CSV: a header (NB201: with the true accuracies, as the page's export) and one line per
    // member, the same as the JSON's.
    let mut csv_args = vec!["pareto", "--space", "nb201", "--device", "pixel3", "--csv"];
    csv_args.extend_from_slice(TINY);
    let csv = String::from_utf8(evrsnas(&csv_args).stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "arch,index,rmi,replicates,cost,measured,cifar10,cifar100,imagenet16"
    );
    assert_eq!(lines.len(), front.len() + 1);
    assert_eq!(lines[1].split(',').next(), front[0]["arch"].as_str());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_fbnet_pareto_search_prints_its_front() {
    let (_, v) = tiny_json(&[
        "pareto",
        "--space",
        "fbnet",
        "--device",
        "raspi4",
        "--json",
        "--fbnet-divisor",
        "8",
    ]);
    let front = v["front"].as_array().unwrap();
    assert!(!front.is_empty(), "{v}");
    assert!(front
        .iter()
        .all(|m| m["index"].is_null() && m["arch"].as_str().unwrap().split('-').count() == 22));
}

#[test]
fn fbnet_search_runs() {
    let search = [
        "search",
        "--space",
        "fbnet",
        "--device",
        "raspi4",
        "--threshold",
        "30",
        "--json",
    ];
    let (_, v) = tiny_json(&[&search[..], &["--fbnet-divisor", "8"]].concat());
    assert!(v["best"]["index"].is_null());
    assert_eq!(v["best"]["arch"].as_str().unwrap().split('-').count(), 22);
}

#[test]
fn help_lists_user_commands_apart_from_developer_commands() {
    let out = evrsnas(&["--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    let (user, developer) = help.split_once("Developer commands").expect("a developer section");
    for command in ["search", "pareto", "pick", "score", "eval-reference"] {
        assert!(
            user.contains(&format!("  {command} ")),
            "{command} not among the user commands:\n{help}"
        );
        assert!(
            !developer.contains(&format!("  {command} ")),
            "{command} among the developer commands"
        );
    }
    for command in ["train-reference", "study", "study-search", "bench", "assets"] {
        assert!(
            developer.contains(&format!("  {command} ")),
            "{command} not among the developer commands:\n{help}"
        );
        assert!(
            !user.contains(&format!("  {command} ")),
            "{command} among the user commands"
        );
    }
}

/// `--compute gpu` trains on the GPU and says which adapter; where no adapter can be had (here: a
/// backend this build has not, through wgpu's WGPU_BACKEND), it says why and trains on the CPU,
/// giving exactly the CPU's score.
#[test]
fn compute_gpu_says_what_runs_and_falls_back_to_the_cpu() {
    let arch = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|";
    let base = [
        "score",
        "--space",
        "nb201",
        "--arch",
        arch,
        "--steps",
        "2",
        "--nb201-channels",
        "4",
    ];
    let rmi = |out: &Output| -> f64 {
        let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
        line["rmi"].as_f64().expect("an RMI")
    };
    let cpu = evrsnas(&base);
    assert!(cpu.status.success());

    let mut no_gpu = Command::new(env!("CARGO_BIN_EXE_evrsnas"));
    no_gpu
        .args(base)
        .args(["--compute", "gpu"])
        .env("WGPU_BACKEND", "metal");
    let fallen = no_gpu
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run evrsnas");
    let stderr = String::from_utf8_lossy(&fallen.stderr);
    assert!(fallen.status.success(), "{stderr}");
    assert!(stderr.contains("compute: CPU (no GPU adapter"), "{stderr}");
    assert_eq!(rmi(&fallen), rmi(&cpu), "the fallback is the CPU path itself");

    let on_gpu = evrsnas(&[&base[..], &["--compute", "gpu"]].concat());
    let stderr = String::from_utf8_lossy(&on_gpu.stderr);
    assert!(on_gpu.status.success(), "{stderr}");
    if stderr.contains("compute: GPU: ") {
        assert!(
            (rmi(&on_gpu) - rmi(&cpu)).abs() < 1e-3,
            "{} vs {}",
            rmi(&on_gpu),
            rmi(&cpu)
        );
    } else {
        assert!(stderr.contains("compute: CPU ("), "{stderr}");
        assert!(
            std::env::var("EVRSNAS_REQUIRE_GPU").is_err(),
            "no GPU adapter: {stderr}"
        );
    }
}

#[test]
fn search_csv_is_the_ranked_table_with_the_true_accuracies() {
    let mut args = vec![
        "search",
        "--space",
        "nb201",
        "--device",
        "pixel3",
        "--threshold",
        "5",
        "--csv",
    ];
    args.extend_from_slice(TINY);
    let out = evrsnas(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "rank,arch,index,cost,measured,rmi,replicates,fitness,feasible,cifar10,cifar100,imagenet16"
    );
    assert!(lines.len() >= 4, "{csv}");
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!((first[0], first.len()), ("1", 12));
    assert!(
        first[1].starts_with('|') && first[9].parse::<f64>().unwrap() > 10.0,
        "{}",
        lines[1]
    );
}

#[test]
fn the_score_and_batch_settings_for_studies_are_checked() {
    // RMI-NAS's batch needs its training images, and a reference file must be one.
    assert_fails_clearly("score --space nb201 --arch 0 --keep-best 20", "--train-batch");
    let dir = std::env::temp_dir().join(format!("evrsnas-cli-ref-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("not-a-reference.safetensors");
    std::fs::write(&bad, b"hello").unwrap();
    assert_fails_clearly(
        &format!("score --space nb201 --arch 0 --reference {}", bad.display()),
        "is not a reference in the project's layout",
    );
    assert_fails_clearly(
        "score --space nb201 --arch 0 --train-batch ../../shared/data/cifar10_train --train-images 30 --keep-best 40",
        "keeps 2..=30 of the 30 images drawn, not 40",
    );
    // The mixed loss as the score: 3β − loss, below Σ CKA's 0..3 scale's top, and not NaN.
    let score = |extra: &[&str]| -> f64 {
        let args = [
            &[
                "score",
                "--space",
                "nb201",
                "--arch",
                "0",
                "--steps",
                "2",
                "--nb201-channels",
                "4",
                "--json",
            ],
            extra,
        ]
        .concat();
        let out = evrsnas(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["rmi"].as_f64().unwrap()
    };
    let (a, b) = (score(&[]), score(&["--score", "loss"]));
    assert!(b.is_finite() && b < 3.0 * 0.8 && (a - b).abs() > 1e-6, "{a} {b}");
    std::fs::remove_dir_all(&dir).unwrap();
}
