//! `kaoshi probe ircan` end to end on SmolLM2-135M-Instruct with MemoTrap
//! and COSE_KRE (../shared/data/ircan), cut down for CI (a few examples,
//! five blocks, five steps, a small grid): the study's methods and fields,
//! the attribution journal resumed after a larger --limit and after a
//! kill -9 (the same records as an uninterrupted run, each id once), the
//! neuron list usable by `score --neurons`, one-line errors.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fails, kaoshi, ok, shared, smollm2, tmp};

fn base<'a>(model: &'a str, data: &'a str, task: &'a str, limit: &'a str) -> Vec<&'a str> {
    vec![
        "probe",
        "ircan",
        "--model",
        model,
        "--data",
        data,
        "--task",
        task,
        "--limit",
        limit,
        "--steps",
        "5",
        "--layers",
        "25-29",
        "--h",
        "1,2",
        "--beta",
        "2",
        "--random-seeds",
        "2",
    ]
}

fn journal(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("ircan_attribution.jsonl")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).expect("journal line")).collect()
}

#[test]
fn ircan_runs_resumes_and_writes_a_usable_neuron_list() {
    let model = smollm2();
    let data = shared("data/ircan").display().to_string();
    let dir = tmp("ircan", "memotrap");
    let d = dir.display().to_string();
    let mut args = base(&model, &data, "memotrap", "2");
    args.extend(["--json", "--output", &d]);
    let doc: serde_json::Value = serde_json::from_str(&ok(&args)).expect("json");
    let methods: Vec<&str> =
        doc["methods"].as_array().expect("methods").iter().map(|m| m["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["original", "IRCAN", "erase", "random", "CAD", "CAD+IRCAN"]);
    for m in doc["methods"].as_array().unwrap() {
        let (a, t) = (m["accuracy"].as_f64().unwrap(), m["trap_rate"].as_f64().unwrap());
        assert!((0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&t) && a + t <= 1.0 + 1e-9, "{m}");
    }
    let attributions = doc["attributions"].as_array().expect("attributions");
    assert_eq!(attributions.len(), 2);
    for a in attributions {
        let layers = a["layers"].as_array().expect("layers");
        assert_eq!(layers.iter().map(|l| l["layer"].as_u64().unwrap()).collect::<Vec<_>>(), [25, 26, 27, 28, 29]);
        assert!(a["p_ctx"].as_f64().unwrap() > 0.0 && a["target_token"].as_u64().is_some());
        for b in a["bag"].as_array().expect("bag") {
            assert!((25..=29).contains(&b[0].as_u64().unwrap()) && b[1].as_u64().unwrap() < 1536);
        }
    }
    assert_eq!(doc["dev_accuracy"].as_array().unwrap().len(), 2);
    for f in ["report.md", "ircan_grid.svg", "ircan_layers.svg", "neurons.json", "ircan.json", "attribution.jsonl"] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    // The neuron list steers `score`.
    let neurons = dir.join("neurons.json").display().to_string();
    let plain = ok(&["score", "--model", &model, "--context", "No man can serve two", "--continuation", " masters"]);
    let steered = ok(&[
        "score",
        "--model",
        &model,
        "--context",
        "No man can serve two",
        "--continuation",
        " masters",
        "--neurons",
        &neurons,
        "--neuron-scale",
        "0",
    ]);
    assert!(!plain.is_empty() && plain != steered, "zeroing the chosen neurons changes the score");

    // A larger --limit attributes only the new example.
    let first = journal(&dir);
    let mut more = base(&model, &data, "memotrap", "3");
    more.extend(["--output", &d]);
    ok(&more);
    let after = journal(&dir);
    let ids: Vec<u64> = after.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [0, 1, 2]);
    assert_eq!(after[..2], first[..]);

    // Killed after its first example, a run resumes to the same records.
    let killed = tmp("ircan", "killed");
    let k = killed.display().to_string();
    let mut kill_args = base(&model, &data, "memotrap", "3");
    kill_args.extend(["--output", &k]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kaoshi"))
        .args(&kill_args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let t = Instant::now();
    while journal(&killed).is_empty() && t.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(200));
    }
    child.kill().expect("kill -9");
    child.wait().ok();
    ok(&kill_args);
    let resumed = journal(&killed);
    let strip = |r: &serde_json::Value| {
        let mut r = r.clone();
        r.as_object_mut().unwrap().remove("seconds");
        r
    };
    assert_eq!(resumed.iter().map(strip).collect::<Vec<_>>(), after.iter().map(strip).collect::<Vec<_>>());

    // Other options on the same folder, and bad input, are one-line errors.
    let mut other = base(&model, &data, "memotrap", "2");
    other[11] = "7";
    other.extend(["--output", &d]);
    assert!(fails(&other).contains("other options"));
    assert!(fails(&base(&model, &data, "trivia", "2")).contains("trivia"));
    let mut bad_layers = base(&model, &data, "memotrap", "2");
    bad_layers[13] = "25-40";
    assert!(fails(&bad_layers).contains("blocks"));
    assert!(
        !kaoshi(&["probe", "ircan", "--model", &model, "--data", "/nonexistent", "--task", "cose"]).status.success()
    );
}

#[test]
fn ircan_on_cose_targets_option_letters() {
    let model = smollm2();
    let data = shared("data/ircan").display().to_string();
    let mut args = base(&model, &data, "cose", "2");
    args[19] = "0";
    args.extend(["--cad-alpha", "0", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&ok(&args)).expect("json");
    let methods: Vec<&str> = doc["methods"].as_array().unwrap().iter().map(|m| m["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["original", "IRCAN", "erase"]);
    // Every example's target is one of the option letters' tokens: " A" .. " E" are five distinct ids.
    let targets: Vec<u64> =
        doc["attributions"].as_array().unwrap().iter().map(|a| a["target_token"].as_u64().unwrap()).collect();
    let letters = ok(&["tokenize", "--model", &model, "--json", "--text", " A B C D E"]);
    for t in targets {
        assert!(letters.contains(&t.to_string()), "target {t} is not an option letter's token: {letters}");
    }
}
