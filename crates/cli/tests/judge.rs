//! `kaoshi eval` in judge mode: the missing-judge error, and a one-item
//! CValues run judged by stories260K with the judge's provenance recorded.

mod common;

use common::{kaoshi, shared};
use std::path::{Path, PathBuf};

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("judge-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn judge_suite_without_judge_model_is_a_one_line_error() {
    let data = shared("data/cvalues");
    let dir = out_dir("missing");
    for extra in [&[][..], &["--mode", "judge"][..]] {
        let mut args = vec!["eval", "--suite", "cvalues", "--data", data.to_str().unwrap(), "--output"];
        args.push(dir.to_str().unwrap());
        args.extend_from_slice(extra);
        let out = kaoshi(&args);
        assert!(!out.status.success(), "kaoshi {args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(err.starts_with("error: ") && !err.contains("panicked"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("--judge-model") && err.contains("cvalues"), "{err}");
    }
}

#[test]
fn judged_cvalues_run_records_the_judge() {
    let model = shared("fixtures/models/stories260K/stories260K.gguf");
    let data = shared("data/cvalues");
    let dir = out_dir("run");
    let m = model.to_str().unwrap();
    let args = [
        "eval",
        "--model",
        m,
        "--judge-model",
        m,
        "--suite",
        "cvalues",
        "--data",
        data.to_str().unwrap(),
        "--limit",
        "1",
        "--output",
        dir.to_str().unwrap(),
    ];
    let out = kaoshi(&args);
    assert!(out.status.success(), "kaoshi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).expect("results.json")).expect("json");
    assert_eq!(r["config"]["judge"]["model"], m);
    assert_eq!(r["config"]["judge"]["model_sha256"].as_str().expect("sha").len(), 64);
    assert!(r["configs"]["cvalues"]["judge_prompt_source"].as_str().expect("source").contains("MT-Bench"));
    assert_eq!(r["configs"]["cvalues"]["output_type"], "judge");
    // stories260K never writes "[[n]]": the one verdict is counted unparsed.
    assert_eq!(r["results"]["cvalues"]["judge_unparsed,none"], 1.0);
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report");
    assert!(report.contains("## Judge scores"), "{report}");
}
