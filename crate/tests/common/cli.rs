//! What the command-line tests share: running the CLI, its tiny search, and the check that bad
//! input fails clearly.

use std::process::{Command, Output};

pub fn evrsnas(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evrsnas"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run evrsnas")
}

/// Runs a command line (split on white space) and checks it fails with exit code 2 and one clear
/// message containing `needle`.
pub fn assert_fails_clearly(command_line: &str, needle: &str) {
    let args: Vec<&str> = command_line.split_whitespace().collect();
    let out = evrsnas(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.to_lowercase().contains(&needle.to_lowercase()),
        "{args:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

pub const TINY: &[&str] = &[
    "--population",
    "4",
    "--generations",
    "2",
    "--steps",
    "2",
    "--nb201-channels",
    "4",
];

/// `search --json` on NB201 for pixel3 at 8 ms with `schedule`, on the tiny proxy.
pub fn tiny_search_args(schedule: &'static str) -> Vec<&'static str> {
    let mut args = vec![
        "search",
        "--space",
        "nb201",
        "--device",
        "pixel3",
        "--threshold",
        "8",
        "--json",
        "--schedule",
        schedule,
    ];
    args.extend_from_slice(TINY);
    args
}
