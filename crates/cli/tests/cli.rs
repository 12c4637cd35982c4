//! The `kaoshi` binary end to end: output formats, exit codes, error lines.

mod common;

use common::kaoshi;
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("fixtures").is_dir(), "the shared fixtures are missing: expected {}", p.display());
    p
}

fn stories() -> String {
    shared().join("fixtures/models/stories260K/stories260K.gguf").display().to_string()
}

fn ok(args: &[&str]) -> String {
    let out = kaoshi(args);
    assert!(out.status.success(), "kaoshi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

fn fails(args: &[&str]) -> String {
    let out = kaoshi(args);
    assert!(!out.status.success(), "kaoshi {args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.starts_with("error: "), "error line expected, got {err:?}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line expected, got {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaoshi-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn generate_greedy_from_bos_prints_the_llama2c_story() {
    let expected = std::fs::read_to_string(
        shared().join("fixtures/models/stories260K/expected/observed_llama2c_run.c_t0_n256_noprompt.txt"),
    )
    .expect("expected text");
    let out = ok(&["generate", "--model", &stories(), "--temperature", "0", "--max-tokens", "300"]);
    assert!(out.starts_with(expected.trim_end()), "got {out:?}");
}

#[test]
fn info_json_describes_stories260k() {
    let v: serde_json::Value = serde_json::from_str(&ok(&["info", "--model", &stories(), "--json"])).expect("json");
    assert_eq!(v["architecture"], "llama");
    assert_eq!(v["layers"], 5);
    assert_eq!(v["heads"], 8);
    assert_eq!(v["kv_heads"], 4);
    assert_eq!(v["vocab_size"], 512);
    assert_eq!(v["tensor_types"]["F32"]["tensors"], 48);
    assert_eq!(v["chat_template"], false);
    assert_eq!(v["bos_id"], 1);
}

#[test]
fn tokenize_prints_ids_with_and_without_bos() {
    let spm = shared().join("fixtures/tokenizers/llama.cpp-vocab/ggml-vocab-llama-spm.gguf").display().to_string();
    let ids: Vec<u32> = serde_json::from_str(&ok(&[
        "tokenize",
        "--model",
        &spm,
        "--text",
        "I believe the meaning of life is",
        "--json",
    ]))
    .expect("json");
    // llama2.c test.c expectation, without BOS.
    assert_eq!(ids, vec![306, 4658, 278, 6593, 310, 2834, 338]);
    let with_bos = ok(&["tokenize", "--model", &spm, "--text", "I believe the meaning of life is", "--add-special"]);
    assert_eq!(with_bos.trim(), "1 306 4658 278 6593 310 2834 338");
}

#[test]
fn score_jsonl_reports_tokens_and_logprobs() {
    let req = temp("requests.jsonl");
    std::fs::write(
        &req,
        "{\"context\": \"Once upon a time\", \"continuation\": \" there was\"}\n\n{\"context\": \"Lily\", \"continuation\": \" ran\"}\n",
    )
    .expect("write");
    let out = ok(&["score", "--model", &stories(), "--requests", req.to_str().expect("path"), "--json"]);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 2);
    for l in &lines {
        let lps = l["token_logprobs"].as_array().expect("array");
        assert_eq!(lps.len() as u64, l["n_tokens"].as_u64().expect("n"));
        assert_eq!(l["tokens"].as_array().expect("tokens").len(), lps.len());
        assert_eq!(l["context_tokens"][0], 1, "BOS first");
        let sum: f64 = lps.iter().map(|x| x.as_f64().expect("f64")).sum();
        assert!((sum - l["logprob"].as_f64().expect("f64")).abs() < 1e-6);
    }
    std::fs::write(&req, "{\"context\": \"a\", \"continuation\": \"b\"}\nnot json\n").expect("write");
    let err = fails(&["score", "--model", &stories(), "--requests", req.to_str().expect("path")]);
    assert!(err.contains("requests.jsonl:2"), "{err}");
}

#[test]
fn ppl_json_reports_all_fields() {
    let text = temp("text.txt");
    std::fs::write(&text, "Once upon a time, there was a little girl named Lily. She loved to play outside.")
        .expect("write");
    let v: serde_json::Value = serde_json::from_str(&ok(&[
        "ppl",
        "--model",
        &stories(),
        "--file",
        text.to_str().expect("path"),
        "--ctx",
        "16",
        "--stride",
        "8",
        "--json",
    ]))
    .expect("json");
    for k in ["n_tokens", "nll", "ppl", "bits_per_byte"] {
        assert!(v[k].as_f64().expect(k) > 0.0, "{k}");
    }
    // stories260K is a trained model: its perplexity on its own kind of text is low.
    assert!(v["ppl"].as_f64().expect("ppl") < 20.0, "{v}");
}

#[test]
fn synth_writes_a_model_that_info_and_bench_read() {
    let out = temp("synth-qwen3.gguf");
    let path = out.to_str().expect("path");
    ok(&[
        "synth",
        "--arch",
        "qwen3",
        "--layers",
        "2",
        "--dim",
        "256",
        "--heads",
        "4",
        "--kv-heads",
        "2",
        "--ffn",
        "512",
        "--vocab",
        "300",
        "--dtype",
        "Q4_K",
        "--out",
        path,
        "--seed",
        "3",
    ]);
    let v: serde_json::Value = serde_json::from_str(&ok(&["info", "--model", path, "--json"])).expect("json");
    assert_eq!(v["architecture"], "qwen3");
    assert_eq!(v["tensor_types"]["Q4_K"]["tensors"], 2 * 7 + 2);
    let b: serde_json::Value =
        serde_json::from_str(&ok(&["bench", "--model", path, "--prompt-tokens", "16", "--gen-tokens", "4", "--json"]))
            .expect("json");
    assert!(b["prefill_tok_s"].as_f64().expect("prefill") > 0.0);
    assert!(b["decode_tok_s"].as_f64().expect("decode") > 0.0);
    let err = fails(&["synth", "--arch", "llama", "--dim", "200", "--heads", "4", "--dtype", "Q4_K", "--out", path]);
    assert!(err.contains("multiple of"), "{err}");
}

#[test]
fn bad_inputs_give_one_error_line() {
    let not_gguf = temp("not-a-model.gguf");
    std::fs::write(&not_gguf, "hello, I am text").expect("write");
    let p = not_gguf.to_str().expect("path");
    assert!(fails(&["info", "--model", p]).contains("not a GGUF file"));
    assert!(fails(&["generate", "--model", "/nonexistent/model.gguf"]).contains("/nonexistent/model.gguf"));
    let vocab_only = shared().join("fixtures/tokenizers/llama.cpp-vocab/ggml-vocab-gpt-2.gguf").display().to_string();
    fails(&["generate", "--model", &vocab_only]);
    assert!(fails(&["synth", "--dtype", "Q9_X", "--out", p]).contains("Q9_X"));
}
