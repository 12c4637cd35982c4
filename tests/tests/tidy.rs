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

/// candle is the CPU backend's: every other crate sees GGUF through
/// kaoshi-formats' own types (tests may use candle as a reference).
#[test]
fn only_the_cpu_backend_depends_on_candle() {
    for entry in std::fs::read_dir(root().join("crates")).expect("crates").flatten() {
        let manifest = std::fs::read_to_string(entry.path().join("Cargo.toml")).expect("manifest");
        let mut section = String::new();
        for line in manifest.lines() {
            if line.starts_with('[') {
                section = line.to_string();
            } else if line.starts_with("candle") && section.ends_with("dependencies]") && !section.contains("dev-") {
                assert!(entry.file_name() == "cpu", "{} depends on {}", entry.path().display(), line.trim());
            }
        }
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

/// Source lines with test modules and comments dropped: what the crate
/// itself compiles.
fn code_lines(text: &str) -> Vec<&str> {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end].lines().map(|l| l.split("//").next().unwrap_or("")).collect()
}

/// No crate's modules import each other in a circle: `use crate::a` in
/// module b and `use crate::b` in module a (through any chain) is a
/// tangle a newcomer cannot read from one end. Modules are the top-level
/// files and folders of each crate's `src/`; `lib.rs` and `main.rs`
/// re-export and are left out.
#[test]
fn no_crate_has_an_import_circle() {
    use std::collections::{BTreeMap, BTreeSet};
    let crates = std::fs::read_dir(root().join("crates")).expect("crates");
    for krate in crates.flatten().map(|e| e.path().join("src")).filter(|p| p.is_dir()) {
        let mut files = Vec::new();
        rust_files(&krate, &mut files);
        let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in &files {
            let rel = f.strip_prefix(&krate).expect("inside src");
            let top = rel.components().next().expect("a component").as_os_str().to_string_lossy();
            let module = top.trim_end_matches(".rs").to_string();
            if module == "lib" || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(f).expect("read");
            let entry = deps.entry(module.clone()).or_default();
            for line in code_lines(&text) {
                for part in line.split("crate::").skip(1) {
                    let name: String = part.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if name != module {
                        entry.insert(name);
                    }
                }
            }
        }
        let modules: BTreeSet<String> = deps.keys().cloned().collect();
        // Depth-first search for a path back to the start.
        for start in &modules {
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((m, path)) = stack.pop() {
                for d in deps.get(&m).into_iter().flatten().filter(|d| modules.contains(*d)) {
                    assert!(
                        d != start,
                        "{}: modules import each other in a circle: {} -> {d}",
                        krate.display(),
                        path.join(" -> ")
                    );
                    if seen.insert(d.clone()) {
                        stack.push((d.clone(), [path.clone(), vec![d.clone()]].concat()));
                    }
                }
            }
        }
    }
}

/// Error kinds are decided by variant, never by reading an error's text
/// (`e.message.contains("out of memory")` breaks when a driver rewords it,
/// and silently files the error under the wrong kind).
#[test]
fn no_error_kind_is_decided_by_message_text() {
    let patterns = [
        ".message.contains(",
        "message.to_ascii_lowercase()",
        "message.to_lowercase()",
        "e.to_string().contains(",
        "err.to_string().contains(",
        "error.to_string().contains(",
        "contains(\"out of memory\")",
        "contains(\"not supported",
        ".strip_prefix(\"--backend",
    ];
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    for f in files.iter().filter(|f| f.components().any(|c| c.as_os_str() == "src")) {
        let text = std::fs::read_to_string(f).expect("read");
        for (i, line) in code_lines(&text).iter().enumerate() {
            if let Some(p) = patterns.iter().find(|p| line.contains(*p)) {
                panic!("{}:{}: decides by message text ({p}): {}", f.display(), i + 1, line.trim());
            }
        }
    }
}
