//! Control vectors end to end: `kaoshi probe concept` writes one on
//! stories260K; `--control-vector` steers `ppl`, `score`, `generate` and
//! `eval` (scale 0 changes nothing, bit for bit; the provenance records
//! the vector); `probe affine` and `probe transplant` carry a vector to
//! another block; `probe emotion` runs ConTrans' evaluation on SmolLM2
//! (fetched by ../shared/models/get-smollm2.sh); bad input is one line.

mod common;

use common::{fails, kaoshi};
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("data/contrans").is_dir(), "the shared data is missing: expected {}", p.display());
    p
}

fn stories() -> String {
    shared().join("fixtures/models/stories260K/stories260K.gguf").display().to_string()
}

fn smollm2() -> String {
    let out = Command::new("bash").arg(shared().join("models/get-smollm2.sh")).output().expect("run get-smollm2.sh");
    assert!(out.status.success(), "get-smollm2.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

fn ok(args: &[&str]) -> String {
    let out = kaoshi(args);
    assert!(out.status.success(), "kaoshi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args)).expect("one JSON document")
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("steer-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Contrastive prompts of our own (stories260K knows children's stories).
fn prompts(dir: &Path) -> (PathBuf, PathBuf) {
    let pos = dir.join("pos.txt");
    let neg = dir.join("neg.txt");
    let happy = [
        "Lily was very happy",
        "Tom smiled and laughed",
        "The sun was bright and everyone was glad",
        "She loved the big red ball",
        "They played and had fun all day",
        "Ben was so excited and happy",
    ];
    let sad = [
        "Lily was very sad",
        "Tom cried and frowned",
        "The rain was cold and everyone was sad",
        "She lost the big red ball",
        "They were alone and bored all day",
        "Ben was so scared and sad",
    ];
    std::fs::write(&pos, happy.join("\n")).expect("write");
    std::fs::write(&neg, sad.join("\n")).expect("write");
    (pos, neg)
}

fn concept(dir: &Path, method: &str) -> (PathBuf, serde_json::Value) {
    let (pos, neg) = prompts(dir);
    let out = dir.join(format!("{method}.gguf"));
    let m = stories();
    let v = json(&[
        "probe",
        "concept",
        "--model",
        &m,
        "--pos",
        s(&pos),
        "--neg",
        s(&neg),
        "--method",
        method,
        "--out",
        s(&out),
        "--json",
    ]);
    (out, v)
}

#[test]
fn concept_vectors_steer_ppl_score_and_generate() {
    let dir = tmp("concept");
    let (v, report) = concept(&dir, "mean");
    assert_eq!(report["probe"], "concept");
    assert_eq!(report["n_pairs"], 6);
    // stories260K has 5 blocks: directions for 1..=4 (llama.cpp never steers block 0).
    assert_eq!(report["layers"], serde_json::json!([1, 2, 3, 4]));
    let sep = report["separation"].as_array().expect("separation");
    assert_eq!(sep.len(), 4);
    for (k, x) in sep.iter().enumerate() {
        // The mean difference's own gap is its norm, and positive.
        let (gap, norm) = (x["gap"].as_f64().expect("gap"), report["norm"][k].as_f64().expect("norm"));
        assert!(gap > 0.0 && (gap - norm).abs() <= 1e-9 * norm, "block {k}: gap {gap}, norm {norm}");
    }
    let (pca, pca_report) = concept(&dir, "pca");
    for x in pca_report["norm"].as_array().expect("norms") {
        assert!((x.as_f64().expect("norm") - 1.0).abs() < 1e-6, "pca vectors are unit length: {x}");
    }
    // repeng's sign rule: positives project higher in most pairs.
    assert!(pca_report["separation"].as_array().expect("sep").iter().all(|x| x["ordered"].as_f64() >= Some(0.5)));

    let text = dir.join("text.txt");
    std::fs::write(&text, "Once upon a time there was a little girl named Lily. She liked to play outside.")
        .expect("w");
    let m = stories();
    let ppl = |extra: &[&str]| json(&[&["ppl", "--model", &m, "--file", s(&text), "--json"], extra].concat());
    let plain = ppl(&[]);
    let zero = ppl(&["--control-vector", &format!("{}:0", s(&v))]);
    assert_eq!(zero["nll"], plain["nll"], "scale 0 must change nothing");
    assert_eq!(zero["steering"]["blocks"], serde_json::json!([1, 2, 3, 4]));
    assert_eq!(zero["steering"]["vectors"][0]["sha256"].as_str().map(str::len), Some(64));
    let pushed = ppl(&["--control-vector", &format!("{}:4", s(&v)), "--control-layers", "2-3"]);
    assert_ne!(pushed["nll"], plain["nll"]);
    assert_eq!(pushed["steering"]["blocks"], serde_json::json!([2, 3]));
    assert_eq!(pushed["steering"]["layers"], serde_json::json!([2, 3]));
    // Two vectors add: v at 2 and v at -2 cancel (up to rounding of the sum, exactly here: x + 2v - 2v).
    let both = ppl(&["--control-vector", &format!("{}:2", s(&v)), "--control-vector", &format!("{}:-2", s(&v))]);
    assert_eq!(both["nll"], plain["nll"]);
    let with_pca = ppl(&["--control-vector", &format!("{}:3", s(&pca))]);
    assert_ne!(with_pca["nll"], plain["nll"]);

    let score = |extra: &[&str]| {
        ok(&[&["score", "--model", &m, "--context", "Lily was", "--continuation", " happy", "--json"], extra].concat())
    };
    assert_eq!(score(&["--control-vector", &format!("{}:0", s(&v))]), score(&[]));
    assert_ne!(score(&["--control-vector", &format!("{}:8", s(&v))]), score(&[]));
    let generate = |extra: &[&str]| {
        let base =
            ["generate", "--model", &m, "--prompt", "Lily was", "--max-tokens", "12", "--temperature", "0", "--json"];
        ok(&[&base[..], extra].concat())
    };
    assert_eq!(generate(&["--control-vector", &format!("{}:0", s(&v))]), generate(&[]));
}

#[test]
fn eval_records_the_control_vector() {
    let dir = tmp("eval");
    let (v, _) = concept(&dir, "mean");
    let m = stories();
    let data = shared().join("data/cmmlu");
    let run = |name: &str, extra: &[&str]| {
        let out = dir.join(name);
        let base = ["eval", "--model", &m, "--suite", "cmmlu", "--data", s(&data), "--limit", "6", "--output", s(&out)];
        ok(&[&base[..], extra].concat());
        let results: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).expect("results")).expect("json");
        let samples = std::fs::read_to_string(out.join("samples_cmmlu.jsonl")).expect("samples");
        (results, samples)
    };
    let (plain, plain_samples) = run("plain", &[]);
    assert!(plain["provenance"].get("steering").is_none());
    let (zero, zero_samples) = run("zero", &["--control-vector", &format!("{}:0", s(&v))]);
    assert_eq!(zero["results"], plain["results"]);
    let logprobs = |samples: &str| -> Vec<serde_json::Value> {
        samples
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["logprobs"].clone())
            .collect()
    };
    assert_eq!(logprobs(&zero_samples), logprobs(&plain_samples));
    let (steered, steered_samples) =
        run("steered", &["--control-vector", &format!("{}:6", s(&v)), "--control-layers", "1"]);
    assert_eq!(steered["provenance"]["steering"]["blocks"], serde_json::json!([1]));
    assert_eq!(steered["provenance"]["steering"]["vectors"][0]["scale"], 6.0);
    assert_ne!(logprobs(&steered_samples), logprobs(&plain_samples));
}

#[test]
fn affine_maps_and_transplants() {
    let dir = tmp("affine");
    let (v, _) = concept(&dir, "mean");
    let m = stories();
    let wiki = shared().join("data/contrans/wiki_split_input.txt");
    let map = dir.join("map.gguf");
    // The same block of the same model: with more training rows (80) than
    // dimensions (64) the solve recovers the identity, so the test error is
    // rounding (1e-6 of the targets' mean square leaves room for f32 states).
    let same = json(&[
        "probe",
        "affine",
        "--source",
        &m,
        "--target",
        &m,
        "--data",
        s(&wiki),
        "--limit",
        "100",
        "--source-layer",
        "2",
        "--target-layer",
        "2",
        "--out",
        s(&map),
        "--json",
    ]);
    assert_eq!(
        (same["n_train"].as_u64(), same["n_dev"].as_u64(), same["n_test"].as_u64()),
        (Some(80), Some(10), Some(10))
    );
    let (mse, ms) = (same["test_mse"].as_f64().expect("mse"), same["test_mean_square"].as_f64().expect("ms"));
    assert!(mse < 1e-6 * ms, "identity map: test MSE {mse} of {ms}");
    // Block 1 to block 3 with a ridge: an error below predicting 0 (0.69 of
    // it when this test was written; 80 rows for 64 x 64 weights overfit).
    let out = dir.join("report");
    let to3 = json(&[
        "probe",
        "affine",
        "--source",
        &m,
        "--target",
        &m,
        "--data",
        s(&wiki),
        "--limit",
        "100",
        "--source-layer",
        "1",
        "--target-layer",
        "3",
        "--ridge",
        "0.01",
        "--out",
        s(&map),
        "--json",
        "--output",
        s(&out),
    ]);
    assert_eq!(to3["regularization"], serde_json::json!({"kind": "ridge", "value": 0.01}));
    let (mse, ms) = (to3["test_mse"].as_f64().expect("mse"), to3["test_mean_square"].as_f64().expect("ms"));
    assert!(mse < 0.8 * ms, "test MSE {mse} vs mean square {ms}");
    assert!(std::fs::read_to_string(out.join("report.md")).expect("report").contains("| test |"));
    let moved = dir.join("moved.gguf");
    ok(&["probe", "transplant", "--vector", s(&v), "--affine", s(&map), "--out", s(&moved)]);
    // The transplanted vector holds block 3 alone and steers the target.
    let text = dir.join("t.txt");
    std::fs::write(&text, "Lily was happy. Tom was sad. They played in the park all day long.").expect("w");
    let r =
        json(&["ppl", "--model", &m, "--file", s(&text), "--json", "--control-vector", &format!("{}:2", s(&moved))]);
    assert_eq!(r["steering"]["blocks"], serde_json::json!([3]));
    // A map whose source block the vector lacks is refused.
    let v0 = dir.join("one.gguf");
    let (pos, neg) = prompts(&dir);
    ok(&["probe", "concept", "--model", &m, "--pos", s(&pos), "--neg", s(&neg), "--layers", "2-2", "--out", s(&v0)]);
    let e = fails(&["probe", "transplant", "--vector", s(&v0), "--affine", s(&map), "--out", s(&dir.join("x.gguf"))]);
    assert!(e.contains("no direction.1"), "{e}");
}

#[test]
fn emotion_evaluation_on_smollm2() {
    let dir = tmp("emotion");
    let m = smollm2();
    let emotions = shared().join("data/contrans/emotions");
    let v = dir.join("happy.gguf");
    let refine = emotions.join("refine_happiness.json");
    let c = json(&[
        "probe",
        "concept",
        "--model",
        &m,
        "--pos",
        s(&refine),
        "--limit",
        "8",
        "--layers",
        "20-22",
        "--out",
        s(&v),
        "--json",
    ]);
    assert_eq!(c["n_pairs"], 8);
    let common = ["probe", "emotion", "--model", &m, "--data", s(&emotions), "--limit", "3", "--json"];
    let base = [&common[..], &["--concept", "happiness"]].concat();
    let plain = json(&base);
    let r = json(&[&base[..], &["--control-vector", s(&v), "--control-layers", "22", "--scales", "0,4"]].concat());
    let tokens = r["emotion_tokens"].as_array().expect("tokens");
    assert_eq!(tokens.len(), 6);
    assert_eq!(tokens[0][2], "Ġhappiness", "the word after \"is\" carries its space");
    assert_eq!(r["steered_blocks"], serde_json::json!([22]));
    let results = r["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["neg"], plain["results"][0]["neg"], "scale 0 is the unsteered model");
    assert_eq!(results[0]["neg"]["n"], 3);
    let counts: u64 =
        results[1]["neg_predicted"].as_array().expect("counts").iter().map(|p| p[1].as_u64().unwrap_or(0)).sum();
    assert_eq!(counts, 3);
    let e = fails(&[&common[..], &["--concept", "joy"]].concat());
    assert!(e.contains("expected one of happiness"), "{e}");
    // A vector made on a 64-wide model does not fit SmolLM2's 576.
    let (small, _) = concept(&dir, "mean");
    let e = fails(&[&base[..], &["--control-vector", s(&small)]].concat());
    assert!(e.contains("576"), "{e}");
}

#[test]
fn bad_steering_input_is_one_line() {
    let dir = tmp("bad");
    let m = stories();
    let text = dir.join("t.txt");
    std::fs::write(&text, "Once upon a time.").expect("w");
    let ppl = ["ppl", "--model", &m, "--file", s(&text)];
    let e = fails(&[&ppl[..], &["--control-vector", s(&dir.join("missing.gguf"))]].concat());
    assert!(e.contains("missing.gguf"), "{e}");
    let e = fails(&[&ppl[..], &["--control-layers", "2-3"]].concat());
    assert!(e.contains("needs a --control-vector"), "{e}");
    let (v, _) = concept(&dir, "mean");
    let e = fails(&[&ppl[..], &["--control-vector", s(&v), "--control-layers", "3-1"]].concat());
    assert!(e.contains("--control-layers"), "{e}");
    // A model file is not a control vector.
    let e = fails(&[&ppl[..], &["--control-vector", &m]].concat());
    assert!(e.contains("not \"controlvector\""), "{e}");
    let (pos, neg) = prompts(&dir);
    let e = fails(&[
        "probe",
        "concept",
        "--model",
        &m,
        "--pos",
        s(&pos),
        "--neg",
        s(&neg),
        "--layers",
        "0-2",
        "--out",
        s(&v),
    ]);
    assert!(e.contains("direction.0"), "{e}");
    let e = fails(&["probe", "concept", "--model", &m, "--pos", s(&pos), "--out", s(&v)]);
    assert!(e.contains("--neg"), "{e}");
    let e = fails(&[
        "probe",
        "affine",
        "--source",
        &m,
        "--target",
        &m,
        "--data",
        s(&pos),
        "--source-layer",
        "9",
        "--target-layer",
        "1",
        "--out",
        s(&dir.join("m.gguf")),
    ]);
    assert!(e.contains("--source-layer 9"), "{e}");
}

/// The steering probes on the GPU (lavapipe in CI): concept vectors and a
/// steered perplexity equal to the CPU's within 1e-3 (f32 sums in other
/// orders through five blocks), and the emotion evaluation running on
/// SmolLM2. Skipped without an adapter unless KAOSHI_REQUIRE_GPU=1.
#[test]
fn steering_on_the_gpu_matches_the_cpu() {
    let m = stories();
    let probe = kaoshi(&["info", "--model", &m, "--backend", "gpu", "--json"]);
    if !probe.status.success() {
        let e = String::from_utf8_lossy(&probe.stderr);
        assert!(
            std::env::var("KAOSHI_REQUIRE_GPU").as_deref() != Ok("1"),
            "KAOSHI_REQUIRE_GPU=1 but no GPU adapter opens: {e}"
        );
        eprintln!("SKIPPED: no GPU adapter ({e}); set KAOSHI_REQUIRE_GPU=1 to fail instead");
        return;
    }
    let dir = tmp("gpu");
    let (pos, neg) = prompts(&dir);
    let concept = |backend: &str| {
        let out = dir.join(format!("{backend}.gguf"));
        let r = json(&[
            "probe",
            "concept",
            "--model",
            &m,
            "--pos",
            s(&pos),
            "--neg",
            s(&neg),
            "--out",
            s(&out),
            "--json",
            "--backend",
            backend,
        ]);
        (out, r)
    };
    let ((v, cpu), (_, gpu)) = (concept("cpu"), concept("gpu"));
    assert!(gpu["provenance"]["backend"].as_str().is_some_and(|b| b.starts_with("gpu")));
    for k in 0..4 {
        let (a, b) = (cpu["norm"][k].as_f64().expect("cpu"), gpu["norm"][k].as_f64().expect("gpu"));
        assert!((a - b).abs() <= 1e-3 * a, "block {}: cpu norm {a}, gpu {b}", k + 1);
    }
    let text = dir.join("t.txt");
    std::fs::write(&text, "Once upon a time there was a happy girl. She played with her dog in the sun.").expect("w");
    let ppl = |backend: &str| {
        let r = json(&[
            "ppl",
            "--model",
            &m,
            "--file",
            s(&text),
            "--json",
            "--backend",
            backend,
            "--control-vector",
            &format!("{}:3", s(&v)),
        ]);
        r["nll"].as_f64().expect("nll")
    };
    let (a, b) = (ppl("cpu"), ppl("gpu"));
    assert!((a - b).abs() <= 1e-3 * a, "steered nll: cpu {a}, gpu {b}");
    let wiki = shared().join("data/contrans/wiki_split_input.txt");
    let affine = |backend: &str| {
        let map = dir.join(format!("map-{backend}.gguf"));
        let r = json(&[
            "probe",
            "affine",
            "--source",
            &m,
            "--target",
            &m,
            "--data",
            s(&wiki),
            "--limit",
            "100",
            "--source-layer",
            "1",
            "--target-layer",
            "3",
            "--ridge",
            "0.01",
            "--out",
            s(&map),
            "--json",
            "--backend",
            backend,
        ]);
        r["test_mse"].as_f64().expect("mse")
    };
    let (a, b) = (affine("cpu"), affine("gpu"));
    assert!((a - b).abs() <= 1e-2 * a, "affine test MSE: cpu {a}, gpu {b}");
    let emotions = shared().join("data/contrans/emotions");
    let sm = smollm2();
    let sv = dir.join("smol.gguf");
    let refine = emotions.join("refine_happiness.json");
    ok(&[
        "probe",
        "concept",
        "--model",
        &sm,
        "--pos",
        s(&refine),
        "--limit",
        "4",
        "--layers",
        "22-22",
        "--out",
        s(&sv),
    ]);
    let r = json(&[
        "probe",
        "emotion",
        "--model",
        &sm,
        "--data",
        s(&emotions),
        "--concept",
        "happiness",
        "--limit",
        "2",
        "--json",
        "--backend",
        "gpu",
        "--control-vector",
        s(&sv),
        "--scales",
        "0,2",
    ]);
    assert_eq!(r["steered_blocks"], serde_json::json!([22]));
    for x in r["results"].as_array().expect("results") {
        assert_eq!(x["neg"]["n"], 2);
        assert!((0.0..=1.0).contains(&x["neg"]["logit"].as_f64().expect("acc")));
    }
}

/// `--neurons F.json --neuron-scale BETA` (IRCAN's reweighting): scale 1
/// changes nothing bit for bit, scale 0 changes the score, the provenance
/// records the file; bad lists and half-given options are one-line errors.
#[test]
fn neuron_scaling_steers_score_and_ppl() {
    let dir = tmp("neurons");
    let m = stories();
    let list = dir.join("cn.json");
    let entries: Vec<String> =
        (0..24).map(|i| format!(r#"{{"layer": {}, "index": {}, "count": 2}}"#, 1 + i % 3, 3 * i)).collect();
    std::fs::write(&list, format!("[{}]", entries.join(", "))).expect("write");
    let n = s(&list);
    let score = |extra: &[&str]| {
        ok(&[&["score", "--model", &m, "--context", "Lily was", "--continuation", " happy", "--json"], extra].concat())
    };
    let plain = score(&[]);
    assert_eq!(score(&["--neurons", n, "--neuron-scale", "1"]), plain);
    assert_ne!(score(&["--neurons", n, "--neuron-scale", "0"]), plain);
    assert_ne!(score(&["--neurons", n, "--neuron-scale", "4"]), plain);
    let text = dir.join("t.txt");
    std::fs::write(&text, "Lily was happy. Tom was sad. They played in the park all day long.").expect("w");
    let r = json(&["ppl", "--model", &m, "--file", s(&text), "--json", "--neurons", n, "--neuron-scale", "3"]);
    let rec = &r["steering"]["neurons"];
    assert_eq!((rec["count"].as_u64(), rec["factor"].as_f64()), (Some(24), Some(3.0)), "{r}");
    assert_eq!(rec["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(r["steering"]["vectors"], serde_json::json!([]));

    let ppl = ["ppl", "--model", &m, "--file", s(&text)];
    let e = fails(&[&ppl[..], &["--neurons", n]].concat());
    assert!(e.contains("--neuron-scale"), "{e}");
    let e = fails(&[&ppl[..], &["--neuron-scale", "2"]].concat());
    assert!(e.contains("--neurons"), "{e}");
    let e = fails(&[&ppl[..], &["--neurons", s(&dir.join("missing.json")), "--neuron-scale", "2"]].concat());
    assert!(e.contains("missing.json"), "{e}");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"[{"layer": 1, "index": 2}, {"layer": 1}]"#).expect("write");
    let e = fails(&[&ppl[..], &["--neurons", s(&bad), "--neuron-scale", "2"]].concat());
    assert!(e.contains("bad.json") && e.contains("index"), "{e}");
    let far = dir.join("far.json");
    std::fs::write(&far, r#"[{"layer": 1, "index": 2}, {"layer": 99, "index": 0}]"#).expect("write");
    let e = fails(&[&ppl[..], &["--neurons", s(&far), "--neuron-scale", "2"]].concat());
    assert!(e.contains("far.json") && e.contains("entry 1") && e.contains("blocks"), "{e}");
    std::fs::write(&far, r#"[{"layer": 1, "index": 100000}]"#).expect("write");
    let e = fails(&[&ppl[..], &["--neurons", s(&far), "--neuron-scale", "2"]].concat());
    assert!(e.contains("entry 0") && e.contains("neurons"), "{e}");
}
