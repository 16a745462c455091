//! Nothing a user sees changes by accident: the recorded CLI results in `tests/golden/` (see its
//! README) come out again, every number bit for bit.

// Native only: these tests read files, run the CLI or need the native-only parts of the library.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

/// Removes the wall-clock figures, which no two runs share.
fn without_seconds(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => map
            .into_iter()
            .filter(|(k, _)| k != "seconds")
            .map(|(k, v)| (k, without_seconds(v)))
            .collect(),
        serde_json::Value::Array(items) => items.into_iter().map(without_seconds).collect(),
        other => other,
    }
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| without_seconds(serde_json::from_str(l).expect("JSON")))
        .collect()
}

/// The recordings for this CPU: gemm's micro-kernels sum in another order with AVX-512 than with
/// AVX2 and FMA, so each has its own (see tests/golden/README.md).
fn recordings() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            return concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/avx2");
        }
    }
    panic!("no recorded results for this CPU's gemm kernels (AVX-512 or AVX2 with FMA): record them as tests/golden/README.md says")
}

#[test]
fn recorded_searches_and_scores_come_out_the_same() {
    let dir = recordings();
    let commands = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/COMMANDS.txt")).unwrap();
    let mut checked = 0;
    for line in commands.lines().filter(|l| !l.trim().is_empty()) {
        let mut words = line.split_whitespace();
        let name = words.next().unwrap();
        let args: Vec<&str> = words.collect();
        let out = Command::new(env!("CARGO_BIN_EXE_evrsnas"))
            .args(&args)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let recorded = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        assert_eq!(
            json_lines(&String::from_utf8(out.stdout).unwrap()),
            json_lines(&recorded),
            "{name} differs from its recorded result"
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} recorded commands");
}
