//! `kaoshi quantize` end to end: a synthetic model carrying a real
//! tokenizer and chat template (phi-3's vocabulary from ../shared) is
//! quantized, keeps every tokenizer key, and generates; bad requests give
//! one error line.

mod common;

use common::{fails, kaoshi, ok, shared, tmp};
use kaoshi_formats::GgufFile;

/// A one-block F32 llama of width 64 with phi-3's tokenizer and chat
/// template, in `dir`.
fn model(dir: &std::path::Path) -> String {
    std::fs::create_dir_all(dir).expect("scratch folder");
    let vocab = shared("fixtures/tokenizers/llama.cpp-vocab/ggml-vocab-phi-3.gguf");
    let path = dir.join("f32.gguf").display().to_string();
    let args = ["synth", "--layers", "1", "--dim", "64", "--heads", "2", "--ffn", "256", "--dtype", "F32"];
    ok(&[&args[..], &["--vocab-from", vocab.to_str().expect("path"), "--out", &path]].concat());
    path
}

#[test]
fn quantized_model_keeps_its_tokenizer_and_generates() {
    let dir = tmp("quantize", "e2e");
    let input = model(&dir);
    let src = GgufFile::open(input.as_ref()).expect("open input");
    assert!(src.metadata().get_str("tokenizer.chat_template").is_some(), "the fixture has a chat template");
    for (ty, fallback) in [("Q4_K", "Q5_0"), ("q2_k", "Q4_0"), ("Q8_0", "")] {
        let out = dir.join(format!("{ty}.gguf")).display().to_string();
        let summary = ok(&["quantize", "--model", &input, "--type", ty, "--out", &out, "--threads", "2"]);
        assert!(summary.contains("bits per weight: matrices"), "{summary}");
        if fallback.is_empty() {
            assert!(!summary.contains("fallback"), "{summary}");
        } else {
            // Width 64 is not a multiple of 256: every matrix but ffn_down falls back.
            assert!(
                summary.contains(&format!(
                    "rows of 64 (not whole {} blocks of 256) written as {fallback}",
                    ty.to_uppercase()
                )),
                "{summary}"
            );
        }
        assert_eq!(summary.contains("IQ4_NL"), ty == "q2_k", "{summary}");
        let q = GgufFile::open(out.as_ref()).expect("open output");
        for (k, v) in src.metadata().as_map().iter().filter(|(k, _)| k.starts_with("tokenizer.")) {
            assert_eq!(q.metadata().get(k), Some(v), "{ty}: {k} changed");
        }
        let want = ty.to_uppercase();
        assert_eq!(q.tensor("blk.0.ffn_down.weight").expect("ffn_down").type_name(), want);
        let text = ok(&[
            "generate",
            "--model",
            &out,
            "--prompt",
            "Hello",
            "--chat",
            "--max-tokens",
            "4",
            "--temperature",
            "0",
        ]);
        assert!(!text.is_empty(), "{ty}: no text generated");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_requests_give_one_error_line() {
    let dir = tmp("quantize", "bad");
    let input = model(&dir);
    let out = dir.join("out.gguf").display().to_string();
    let e = fails(&["quantize", "--model", &input, "--type", "Q9_X", "--out", &out]);
    assert!(e.contains("Q9_X") && e.contains("Q8_0, Q6_K"), "{e}");
    fails(&["quantize", "--model", &input, "--type", "IQ4_NL", "--out", &out]);
    let e = fails(&["quantize", "--model", "/nonexistent/m.gguf", "--type", "Q8_0", "--out", &out]);
    assert!(e.contains("/nonexistent/m.gguf"), "{e}");
    let e = fails(&["quantize", "--model", &input, "--type", "Q8_0", "--out", &input]);
    assert!(e.contains("the output is the input"), "{e}");
    fails(&["quantize", "--model", &input, "--type", "Q8_0", "--out", &out, "--threads", "0"]);
    // A tensor of a type kaoshi does not read (IQ4_NL, ggml id 20): named in the error.
    let iq = dir.join("iq4_nl.gguf");
    let mut b = b"GGUF".to_vec();
    for x in [3u32.to_le_bytes().to_vec(), 1u64.to_le_bytes().to_vec(), 0u64.to_le_bytes().to_vec()] {
        b.extend(x);
    }
    b.extend(1u64.to_le_bytes());
    b.push(b'w');
    b.extend(1u32.to_le_bytes());
    b.extend(32u64.to_le_bytes());
    b.extend(20u32.to_le_bytes());
    b.extend(0u64.to_le_bytes());
    b.resize(64 + 18, 0);
    std::fs::write(&iq, b).expect("write");
    let e = fails(&["quantize", "--model", iq.to_str().expect("path"), "--type", "Q8_0", "--out", &out]);
    assert!(e.contains("IQ4_NL"), "{e}");
    assert!(!std::path::Path::new(&out).exists(), "a failed run leaves no output");
    let leftovers = std::fs::read_dir(&dir).expect("dir").filter_map(Result::ok);
    assert!(leftovers.filter(|e| e.file_name().to_string_lossy().contains(".part-")).count() == 0, "temp file left");
    let help = kaoshi(&["quantize", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("--keep-output-type"));
    let _ = std::fs::remove_dir_all(&dir);
}
