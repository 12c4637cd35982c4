//! Architecture invariants checked as ordinary tests (see ARCHITECTURE.md).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "target") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for d in ["crates", "tests", "examples"] {
        rust_files(&root().join(d), &mut files);
    }
    assert!(files.len() > 50, "found only {} Rust files: wrong root?", files.len());
    files
}

#[test]
fn wasm_cfg_only_in_wasm_and_gpu_init() {
    let needle = ["target_arch", " = \"wasm32\""].concat();
    for f in all_rust_files() {
        let text = std::fs::read_to_string(&f).expect("read");
        let allowed = f.components().any(|c| c.as_os_str() == "wasm" || c.as_os_str() == "gpu");
        assert!(allowed || !text.contains(&needle), "{} uses cfg({needle})", f.display());
    }
}

#[test]
fn model_crate_knows_no_backend() {
    let manifest = std::fs::read_to_string(root().join("crates/model/Cargo.toml")).expect("manifest");
    for dep in ["candle", "wgpu", "kaoshi-cpu"] {
        assert!(!manifest.contains(dep), "crates/model depends on {dep}");
    }
}

#[test]
fn source_files_stay_readable_in_one_sitting() {
    // Data tables (pinned URLs and hashes) are exempt.
    const EXEMPT: &[&str] = &["sources.rs"];
    const MAX_LINES: usize = 800;
    for f in all_rust_files() {
        if EXEMPT.iter().any(|e| f.ends_with(e)) {
            continue;
        }
        let n = std::fs::read_to_string(&f).expect("read").lines().count();
        assert!(n <= MAX_LINES, "{} has {n} lines (limit {MAX_LINES})", f.display());
    }
}
