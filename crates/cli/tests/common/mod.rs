//! What the CLI's integration tests share: the ../shared data and models,
//! running the `kaoshi` binary, one-line errors, scratch folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A path under ../shared, which must exist.
pub fn shared(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(rel);
    assert!(p.exists(), "the shared data is missing: expected {}", p.display());
    p
}

/// SmolLM2-135M-Instruct, fetched and checked by ../shared/models/get-smollm2.sh.
pub fn smollm2() -> String {
    let out = Command::new("bash").arg(shared("models/get-smollm2.sh")).output().expect("get-smollm2.sh");
    assert!(out.status.success(), "get-smollm2.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs `kaoshi args`.
pub fn kaoshi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kaoshi")).args(args).output().expect("run kaoshi")
}

/// Runs `kaoshi args`, which must succeed; its stdout.
pub fn ok(args: &[&str]) -> String {
    let out = kaoshi(args);
    assert!(out.status.success(), "kaoshi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Runs `kaoshi args`, which must fail with one `error: ` line and no panic.
pub fn fails(args: &[&str]) -> String {
    let out = kaoshi(args);
    assert!(!out.status.success(), "kaoshi {args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.starts_with("error: ") && err.trim_end().lines().count() == 1 && !err.contains("panicked"), "{err}");
    err
}

/// A fresh scratch folder for this test process.
pub fn tmp(prefix: &str, name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}
