//! `kaoshi eval` end to end: the default demo run, real suites from
//! ../shared/data, resumption and bad input.

mod common;

use common::kaoshi;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("data").is_dir(), "the shared data is missing: expected {}", p.display());
    p
}

fn ok(args: &[&str]) -> String {
    let out = kaoshi(args);
    assert!(out.status.success(), "kaoshi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn fails(args: &[&str]) -> String {
    let out = kaoshi(args);
    assert!(!out.status.success(), "kaoshi {args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.starts_with("error: ") && !err.contains("panicked"), "{err}");
    err
}

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("eval-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn results(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).expect("results.json")).expect("json")
}

#[test]
fn default_eval_runs_the_demo_suite_on_the_demo_model() {
    let dir = out_dir("default");
    let report = ok(&["eval", "--output", dir.to_str().expect("path")]);
    assert!(report.contains("| demo | loglik |"), "{report}");
    let r = results(&dir);
    assert_eq!(r["n-samples"]["demo"]["effective"], 32);
    let acc = r["results"]["demo"]["acc,none"].as_f64().expect("acc");
    assert!((0.0..=1.0).contains(&acc));
    assert_eq!(r["provenance"]["model_sha256"].as_str().expect("sha").len(), 64);
    assert_eq!(r["configs"]["demo"]["output_type"], "loglik");
    let samples = std::fs::read_to_string(dir.join("samples_demo.jsonl")).expect("samples");
    assert_eq!(samples.lines().count(), 32);
    let first: serde_json::Value = serde_json::from_str(samples.lines().next().expect("line")).expect("json");
    for k in ["prompt", "choices", "logprobs", "prediction", "gold", "correct"] {
        assert!(!first[k].is_null(), "sample lacks {k}: {first}");
    }
    assert!(dir.join("report.md").exists());
}

#[test]
fn resumed_eval_writes_the_same_results() {
    let stories = shared().join("fixtures/models/stories260K/stories260K.gguf");
    let model = stories.to_str().expect("path");
    let full = out_dir("full");
    ok(&["eval", "--model", model, "--mode", "letter", "--output", full.to_str().expect("path")]);
    // Simulate a kill after 10 items, mid-way through the 11th line.
    let cut = out_dir("cut");
    std::fs::create_dir_all(&cut).expect("dir");
    let journal = std::fs::read_to_string(full.join("samples_demo.jsonl")).expect("journal");
    let lines: Vec<&str> = journal.lines().collect();
    let mut partial: String = lines[..10].iter().map(|l| format!("{l}\n")).collect();
    partial.push_str(&lines[10][..20]);
    std::fs::write(cut.join("samples_demo.jsonl"), partial).expect("write");
    ok(&["eval", "--model", model, "--mode", "letter", "--output", cut.to_str().expect("path")]);
    let (a, b) = (results(&full), results(&cut));
    for key in ["results", "n-samples", "configs", "breakdowns", "groups"] {
        assert_eq!(a[key], b[key], "{key} differs");
    }
}

#[test]
fn cmmlu_from_shared_data_with_limit() {
    let stories = shared().join("fixtures/models/stories260K/stories260K.gguf");
    let data = shared().join("data/cmmlu");
    let dir = out_dir("cmmlu");
    ok(&[
        "eval",
        "--model",
        stories.to_str().expect("p"),
        "--suite",
        "cmmlu",
        "--data",
        data.to_str().expect("p"),
        "--limit",
        "20",
        "--num-fewshot",
        "1",
        "--output",
        dir.to_str().expect("p"),
    ]);
    let r = results(&dir);
    assert_eq!(r["n-samples"]["cmmlu"]["effective"], 20);
    assert_eq!(r["configs"]["cmmlu"]["num_fewshot"], 1);
    assert!(r["results"]["cmmlu"]["acc,none"].is_number());
}

#[test]
fn list_and_bad_requests() {
    let data = shared().join("data");
    let list = ok(&["eval", "--list", "--data", data.to_str().expect("p")]);
    for s in ["demo", "ceval", "cmmlu", "openeval-capability"] {
        assert!(list.contains(s), "--list lacks {s}");
    }
    // Item counts read from the data: CMMLU's test split here has 5664 items, C-Eval's val 688.
    let row = |name: &str| list.lines().find(|l| l.starts_with(&format!("{name} "))).expect("row").to_string();
    assert!(row("cmmlu").contains(" 5664 "), "{}", row("cmmlu"));
    assert!(row("ceval").contains(" 688 "), "{}", row("ceval"));
    assert!(row("demo").contains(" 32 "), "{}", row("demo"));
    let dir = out_dir("bad");
    let d = dir.to_str().expect("p");
    assert!(fails(&["eval", "--suite", "nope", "--output", d]).contains("unknown suite"));
    // A suite without --data is fetched into the cache: tests/fetch.rs.
    assert!(fails(&["eval", "--mode", "guess", "--output", d]).contains("--mode"));
    let empty = out_dir("empty-data");
    std::fs::create_dir_all(&empty).expect("dir");
    fails(&["eval", "--suite", "ceval", "--data", empty.to_str().expect("p"), "--output", d]);
}

#[test]
fn killed_eval_resumes_to_the_same_results() {
    let stories = shared().join("fixtures/models/stories260K/stories260K.gguf");
    let data = shared().join("data/cmmlu");
    let args = |dir: &Path| -> Vec<String> {
        [
            "eval",
            "--model",
            stories.to_str().expect("p"),
            "--suite",
            "cmmlu",
            "--data",
            data.to_str().expect("p"),
            "--limit",
            "400",
            "--num-fewshot",
            "1",
            "--output",
            dir.to_str().expect("p"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let killed = out_dir("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kaoshi"))
        .args(args(&killed))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let journal = killed.join("samples_cmmlu.jsonl");
    let start = std::time::Instant::now();
    let lines_at_kill = loop {
        let n = std::fs::read_to_string(&journal).map(|s| s.lines().count()).unwrap_or(0);
        if n >= 10 || start.elapsed().as_secs() > 120 {
            child.kill().expect("kill"); // SIGKILL: no chance to clean up
            break n;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    child.wait().expect("wait");
    assert!((10..400).contains(&lines_at_kill), "killed with {lines_at_kill} journal lines");
    ok(&args(&killed).iter().map(String::as_str).collect::<Vec<_>>());
    let full = out_dir("unkilled");
    ok(&args(&full).iter().map(String::as_str).collect::<Vec<_>>());
    let (a, b) = (results(&full), results(&killed));
    for key in ["results", "n-samples", "configs", "breakdowns", "groups"] {
        assert_eq!(a[key], b[key], "{key} differs after a kill and resume");
    }
    let records = std::fs::read_to_string(&journal).expect("journal");
    assert_eq!(records.lines().count(), 400, "each item journaled once");
}

#[test]
fn generic_task_file_runs_without_code() {
    let dir = out_dir("generic");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("items.jsonl"),
        "{\"q\": \"1 + 1 = ?\", \"a\": \"2\", \"b\": \"3\", \"answer\": \"A\"}\n\
         {\"q\": \"天空是什么颜色？\", \"a\": \"绿色\", \"b\": \"蓝色\", \"answer\": \"B\"}\n",
    )
    .expect("write");
    let task = dir.join("mytask.json");
    std::fs::write(
        &task,
        r#"{"name": "mytask", "data": "items.jsonl", "format": "jsonl",
            "fields": {"question": "q", "choices": ["a", "b"], "answer": "answer"},
            "template": "{question}\nA. {A}\nB. {B}\n答案：", "mode": "letter"}"#,
    )
    .expect("write");
    let out = dir.join("out");
    ok(&["eval", "--task", task.to_str().expect("p"), "--output", out.to_str().expect("p")]);
    let r = results(&out);
    assert_eq!(r["n-samples"]["mytask"]["effective"], 2);
    assert_eq!(r["configs"]["mytask"]["output_type"], "letter");
    let samples = std::fs::read_to_string(out.join("samples_mytask.jsonl")).expect("samples");
    assert!(samples.contains("天空是什么颜色？\\nA. 绿色\\nB. 蓝色\\n答案："), "{samples}");
}

#[test]
fn prompts_longer_than_the_context_are_cut_from_the_left_and_counted() {
    // The GGUF v1 copy of stories260K declares a 512-token context; five
    // CMMLU exemplars spelled in byte tokens do not fit.
    let v1 = shared().join("fixtures/models/stories260K/tinyllamas-stories-260k-f32.gguf");
    let data = shared().join("data/cmmlu");
    let dir = out_dir("truncated");
    ok(&[
        "eval",
        "--model",
        v1.to_str().expect("p"),
        "--suite",
        "cmmlu",
        "--data",
        data.to_str().expect("p"),
        "--limit",
        "2",
        "--num-fewshot",
        "5",
        "--output",
        dir.to_str().expect("p"),
    ]);
    let r = results(&dir);
    assert_eq!(r["results"]["cmmlu"]["n_truncated_prompts,none"], 2.0);
    let samples = std::fs::read_to_string(dir.join("samples_cmmlu.jsonl")).expect("samples");
    for line in samples.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let cut: usize = v["fields"]["truncated_prompt_tokens"].as_str().expect("field").parse().expect("n");
        assert!(cut > 0);
    }
}

/// `kaoshi report` reads back what `kaoshi eval` wrote, compares two runs
/// (second minus first, from the files' own numbers) and refuses files that
/// are not results.json.
#[test]
fn report_checks_and_compares_results() {
    let model = shared().join("fixtures/models/stories260K/stories260K.gguf");
    let data = shared().join("data/cmmlu");
    let (a, b) = (out_dir("report-a"), out_dir("report-b"));
    for (dir, mode) in [(&a, "letter"), (&b, "loglik")] {
        let args = ["eval", "--model", model.to_str().unwrap(), "--suite", "cmmlu", "--data", data.to_str().unwrap()];
        ok(&[&args[..], &["--limit", "12", "--mode", mode, "--output", dir.to_str().unwrap()]].concat());
    }
    let (ra, rb) = (a.join("results.json"), b.join("results.json"));
    let check = ok(&["report", "--check", ra.to_str().unwrap(), rb.to_str().unwrap()]);
    assert_eq!(check.lines().filter(|l| l.contains(": ok (1 tasks")).count(), 2, "{check}");
    let table = ok(&["report", "--subjects", ra.to_str().unwrap(), rb.to_str().unwrap()]);
    let (acc_a, acc_b) = (
        results(&a)["results"]["cmmlu"]["acc,none"].as_f64().unwrap(),
        results(&b)["results"]["cmmlu"]["acc,none"].as_f64().unwrap(),
    );
    let row = table.lines().find(|l| l.starts_with("| cmmlu acc |")).unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains(&format!("{acc_a:.4} ± ")) && row.ends_with(&format!(" {:+.4} |", acc_b - acc_a)), "{row}");
    assert!(table.lines().any(|l| l.starts_with("|   agronomy |")), "{table}");
    // Not a results.json: missing keys, a metric that is not a number.
    let bad = a.join("bad.json");
    std::fs::write(&bad, r#"{"results": {}}"#).unwrap();
    assert!(fails(&["report", bad.to_str().unwrap()]).contains("missing field `groups`"));
    let mut doc = results(&a);
    doc["results"]["cmmlu"]["acc,none"] = serde_json::json!("high");
    std::fs::write(&bad, doc.to_string()).unwrap();
    assert!(fails(&["report", "--check", bad.to_str().unwrap()]).contains("results.cmmlu.acc,none"));
}
