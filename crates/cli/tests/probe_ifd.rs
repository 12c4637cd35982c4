//! `kaoshi probe ifd` end to end: rows and summary with their fields on
//! stories260K (small) and SmolLM2-135M-Instruct (large, and judge);
//! resuming after a kill -9 and after a torn journal gives the values of an
//! uninterrupted run, each id once; options that differ from the journal's
//! and bad data lines are one-line errors; `--backend gpu` (lavapipe in CI)
//! gives the CPU's IFD.

mod common;

use common::{fails, kaoshi, ok, shared, smollm2};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stories() -> String {
    shared("fixtures/models/stories260K/stories260K.gguf").display().to_string()
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../probe/tests/fixtures/ifd").join(name).display().to_string()
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ifd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn rows(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("candidates.jsonl")).expect("candidates.jsonl");
    text.lines().map(|l| serde_json::from_str(l).expect("row")).collect()
}

#[test]
fn rows_summary_judge_and_evolution() {
    let (s, l, data) = (stories(), smollm2(), fixture("candidates.jsonl"));
    let out = tmp("full");
    let o = out.to_str().expect("path");
    let args =
        ["probe", "ifd", "--small", &s, "--large", &l, "--judge", &l, "--judge-max-tokens", "48", "--data", &data];
    let text = ok(&[&args[..], &["--limit", "3", "--evolve", "--rate", "0.5", "--output", o, "--json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&text).expect("summary JSON");
    assert_eq!(
        (v["probe"].as_str(), v["n_candidates"].as_u64(), v["n_seeds"].as_u64()),
        (Some("ifd"), Some(3), Some(1))
    );
    assert_eq!(v["judge_parsed"].as_u64().expect("parsed") + v["judge_unparsed"].as_u64().expect("unparsed"), 2);
    assert_eq!(v["provenance"]["small"]["chat_template_used"], false, "stories260K has no chat template");
    assert_eq!(v["provenance"]["large"]["chat_template_used"], true);
    assert_eq!(v["provenance"]["judge"]["model_sha256"].as_str().expect("sha").len(), 64);
    assert!(v["options"]["judge_prompt"].as_str().expect("source").contains("pair-v2"));
    let r = rows(&out);
    assert_eq!(r.len(), 3);
    for row in &r {
        for f in ["id", "seed", "agent", "ifd_small", "ifd_large", "pi_dual", "selected", "small", "large"] {
            assert!(row.get(f).is_some(), "{f} missing in {row}");
        }
        assert_eq!(row.get("pi_llm").is_some(), row.get("pi").is_some(), "pi needs pi_llm with a judge: {row}");
        let d = row["pi_dual"].as_f64().expect("pi_dual");
        assert!((0.0..=1.0).contains(&d), "{row}");
    }
    assert_eq!(r[0]["base"], true);
    assert_eq!(r[0]["pi_llm"], 0.5, "the base ties itself");
    assert!(r[1]["judge_raw"].is_string() && r[0].get("judge_raw").is_none());
    assert!(r.iter().filter(|x| x["selected"] == true).count() <= 1);
    let agents: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("agents.json")).expect("agents.json")).expect("json");
    let dist = agents["distribution"].as_object().expect("distribution");
    let sum: f64 = dist.values().map(|p| p.as_f64().expect("p")).sum();
    assert!((sum - 1.0).abs() < 1e-12 && dist.values().all(|p| p.as_f64().expect("p") >= 0.0), "{dist:?}");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("ifd_histogram.svg") && md.contains("Alpaca"), "{md}");
    let svg = std::fs::read_to_string(out.join("ifd_histogram.svg")).expect("chart");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
}

fn journal_lines(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("ifd_journal.jsonl")).map(|t| t.lines().count()).unwrap_or(0)
}

#[test]
fn a_killed_or_torn_run_resumes_to_the_same_rows() {
    let (m, data) = (smollm2(), fixture("candidates.jsonl"));
    let run = |dir: &Path| {
        ok(&["probe", "ifd", "--small", &m, "--data", &data, "--batch", "1", "--output", dir.to_str().expect("p")])
    };
    let whole = tmp("whole");
    run(&whole);
    let want = rows(&whole);
    assert_eq!(want.len(), 12);

    // kill -9 once the journal has rows, then resume.
    let killed = tmp("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kaoshi"))
        .args(["probe", "ifd", "--small", &m, "--data", &data, "--batch", "1", "--output"])
        .arg(&killed)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while journal_lines(&killed) < 2 && start.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill -9");
    let _ = child.wait();
    let kept = journal_lines(&killed);
    eprintln!("killed with {kept} journaled rows");
    assert!(kept >= 2);
    run(&killed);
    assert_eq!(rows(&killed), want, "resumed after kill -9");
    assert_eq!(journal_lines(&killed), 12, "every id once");

    // A journal cut in the middle of a line.
    let torn = tmp("torn");
    std::fs::create_dir_all(&torn).expect("dir");
    std::fs::copy(whole.join("ifd_options.json"), torn.join("ifd_options.json")).expect("key");
    let text = std::fs::read_to_string(whole.join("ifd_journal.jsonl")).expect("journal");
    let cut: usize = text.lines().take(5).map(|l| l.len() + 1).sum::<usize>() + 20;
    std::fs::write(torn.join("ifd_journal.jsonl"), &text[..cut]).expect("torn journal");
    run(&torn);
    assert_eq!(rows(&torn), want, "resumed after a torn line");
    assert_eq!(journal_lines(&torn), 12);

    let err = fails(&[
        "probe",
        "ifd",
        "--small",
        &m,
        "--data",
        &data,
        "--chat-template",
        "none",
        "--output",
        whole.to_str().expect("p"),
    ]);
    assert!(err.contains("chat_template") && err.contains("another --output"), "{err}");
}

#[test]
fn bad_input_is_one_line() {
    let s = stories();
    let dir = tmp("bad");
    std::fs::create_dir_all(&dir).expect("dir");
    let good = r#"{"id":"a","seed":"s","instruction":"Say hi","response":"Hi there"}"#;
    let cases = [
        (format!("{good}\n{{\"id\":\"b\",\"seed\":\"s\",\"instruction\":\"x\"}}\n"), ":2:", "response"),
        (format!("{good}\nnot json\n"), ":2:", "line"),
        (format!("{good}\n{good}\n"), ":2:", "twice"),
    ];
    for (i, (body, at, what)) in cases.iter().enumerate() {
        let f = dir.join(format!("bad{i}.jsonl"));
        std::fs::write(&f, body).expect("write");
        let err = fails(&["probe", "ifd", "--small", &s, "--data", f.to_str().expect("p")]);
        assert!(err.contains(at) && (err.contains(what) || *what == "line"), "{err}");
    }
    let data = fixture("candidates.jsonl");
    let err = fails(&["probe", "ifd", "--small", &s, "--data", &data, "--evolve"]);
    assert!(err.contains("--large"), "{err}");
    let err = fails(&["probe", "ifd", "--small", &s, "--data", &data, "--base-agent", "nobody"]);
    assert!(err.contains("nobody"), "{err}");
    let err = fails(&["probe", "ifd", "--small", &s, "--data", &data, "--chat-template", "maybe"]);
    assert!(err.contains("auto or none"), "{err}");
}

/// The GPU backend gives the CPU's IFD (stories260K, all pairs); skipped
/// without an adapter unless KAOSHI_REQUIRE_GPU=1.
#[test]
fn gpu_ifd_matches_cpu() {
    let (s, data) = (stories(), fixture("pairs.jsonl"));
    let probe = kaoshi(&["info", "--model", &s, "--backend", "gpu", "--json"]);
    if !probe.status.success() {
        let e = String::from_utf8_lossy(&probe.stderr);
        assert!(
            std::env::var("KAOSHI_REQUIRE_GPU").as_deref() != Ok("1"),
            "KAOSHI_REQUIRE_GPU=1 but no GPU adapter opens: {e}"
        );
        eprintln!("skipped: no GPU adapter ({e}); set KAOSHI_REQUIRE_GPU=1 to fail instead");
        return;
    }
    let run = |backend: &str| {
        let dir = tmp(&format!("gpu-{backend}"));
        ok(&[
            "probe",
            "ifd",
            "--small",
            &s,
            "--data",
            &data,
            "--backend",
            backend,
            "--output",
            dir.to_str().expect("p"),
        ]);
        rows(&dir)
    };
    let (cpu, gpu) = (run("cpu"), run("gpu"));
    for (c, g) in cpu.iter().zip(&gpu) {
        let (a, b) = (c["ifd_small"].as_f64().expect("cpu"), g["ifd_small"].as_f64().expect("gpu"));
        // Per-token log-probabilities agree within 2e-4 (the engine's GPU
        // reduction), so a ratio of two mean-NLL exponentials within ~4e-4.
        assert!((a - b).abs() <= 1e-3 * a, "{}: cpu {a}, gpu {b}", c["id"]);
    }
}
