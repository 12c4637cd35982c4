//! `kaoshi probe importance` end to end on stories260K and two FLORES-200
//! languages from ../shared: the files `--output` writes, eight components
//! per layer in the JSON, a rerun that resumes from the journal, and
//! one-line errors for a GPU request, other options and a missing language.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("data/flores200").is_dir(), "the shared data is missing: expected {}", p.display());
    p
}

fn kaoshi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kaoshi")).args(args).output().expect("run kaoshi")
}

fn fails(args: &[&str]) -> String {
    let out = kaoshi(args);
    assert!(!out.status.success(), "kaoshi {args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.starts_with("error: ") && err.trim_end().lines().count() == 1 && !err.contains("panicked"), "{err}");
    err
}

/// Equal up to the last bits of a number (JSON's f64 text round trip).
fn close(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::{Array, Number, Object};
    match (a, b) {
        (Number(x), Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close(x, y)),
        (Object(x), Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w))),
        _ => a == b,
    }
}

#[test]
fn writes_eight_components_per_layer_and_resumes() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("importance-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("out");
    let (m, d) = (
        shared().join("fixtures/models/stories260K/stories260K.gguf").display().to_string(),
        shared().join("data/flores200").display().to_string(),
    );
    let o = out.to_str().expect("path");
    let base = ["probe", "importance", "--model", &m, "--data", &d, "--langs", "eng_Latn,fra_Latn"];
    let args = [&base[..], &["--limit", "2", "--json", "--output", o]].concat();
    let first = kaoshi(&args);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).expect("one JSON document");
    assert_eq!(v["probe"], "importance");
    assert_eq!(v["layers"], 5);
    assert_eq!(v["components"], serde_json::json!(["q", "k", "v", "o", "gate", "up", "down", "norm"]));
    let langs = v["languages"].as_array().expect("languages");
    assert_eq!(langs.len(), 2);
    for l in langs {
        assert_eq!(l["sentences"], 2);
        let imp = l["importance"].as_object().expect("importance");
        assert_eq!(imp.len(), 8);
        assert!(imp.values().all(|layers| layers.as_array().is_some_and(|a| a.len() == 5)));
        assert!(imp["gate"].as_array().expect("gate").iter().any(|x| x.as_f64().is_some_and(|x| x > 0.0)));
        // norm = ln1 + ln2, layer by layer.
        for i in 0..5 {
            let n = |k: &str| l["norms"][k][i].as_f64().expect("number");
            assert!((imp["norm"][i].as_f64().expect("norm") - n("ln1") - n("ln2")).abs() < 1e-9);
        }
        let share: f64 = l["component_share"].as_object().expect("shares").values().filter_map(|x| x.as_f64()).sum();
        assert!((share - 1.0).abs() < 1e-9, "{share}");
        assert_eq!(l["top_neurons"].as_array().expect("top").len(), 20);
    }
    for file in [
        "probe.json",
        "report.md",
        "importance_layers.svg",
        "importance_gate.svg",
        "importance_norm.svg",
        "importance_heat_fra_Latn.svg",
        "importance_journal.jsonl",
        "importance_neurons_eng_Latn.json",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let journal = std::fs::read_to_string(out.join("importance_journal.jsonl")).expect("journal");
    assert_eq!(journal.lines().count(), 5, "a header and four sentences");
    assert!(journal.lines().next().is_some_and(|h| h.contains("\"options\"")));

    // The same options again: nothing is scored, the numbers are the same.
    let again = kaoshi(&args);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("resuming: 4 sentences"));
    let w: serde_json::Value = serde_json::from_slice(&again.stdout).expect("JSON");
    assert!(close(&w["languages"], &v["languages"]), "a resumed run reports other numbers");
    assert_eq!(std::fs::read_to_string(out.join("importance_journal.jsonl")).expect("journal"), journal);

    let err = fails(&[&base[..], &["--limit", "1", "--output", o]].concat());
    assert!(err.contains("other options") && err.contains("limit"), "{err}");
    let err = fails(&[&base[..], &["--backend", "gpu"]].concat());
    assert!(err.contains("needs gradients") && err.contains("--backend cpu"), "{err}");
    let err = fails(&["probe", "importance", "--model", &m, "--data", &d, "--langs", "xxx_Latn", "--limit", "1"]);
    assert!(err.contains("no file for language xxx_Latn"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
