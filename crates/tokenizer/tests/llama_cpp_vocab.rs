//! llama.cpp's own tokenizer tests (`models/ggml-vocab-*.gguf.inp/.out`):
//! every case, add_special = false, parse_special = false.

mod common;

use common::{fixtures, llama3, qwen, vocab_dir};
use kaoshi_tokenizer::Tokenizer;

const SEP: &str = "\n__ggml_vocab_test__\n";

/// (text, expected ids) for one `.inp/.out` pair.
fn cases(name: &str) -> Vec<(String, Vec<u32>)> {
    let dir = vocab_dir();
    let inp = std::fs::read_to_string(dir.join(format!("{name}.inp"))).expect("read .inp");
    let out = std::fs::read_to_string(dir.join(format!("{name}.out"))).expect("read .out");
    // Each case is followed by "\n__ggml_vocab_test__\n"; the newline before
    // the separator is not part of the case.
    let mut texts: Vec<String> = inp.split(SEP).map(str::to_string).collect();
    assert_eq!(texts.pop().as_deref(), Some(""), "{name}.inp must end with the separator");
    let ids: Vec<Vec<u32>> =
        out.lines().map(|l| l.split_whitespace().map(|t| t.parse().expect("id")).collect()).collect();
    assert_eq!(texts.len(), ids.len(), "{name}: .inp and .out disagree on the case count");
    texts.into_iter().zip(ids).collect()
}

fn check(tok: &Tokenizer, name: &str, decode_roundtrip: bool) {
    let cases = cases(name);
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for (text, want) in &cases {
        let got = tok.encode(text, false, false).expect("encode");
        if &got != want {
            failures.push(format!("{text:?}\n   want {want:?}\n    got {got:?}"));
            continue;
        }
        if decode_roundtrip {
            let back = tok.decode(&got, false).expect("decode");
            assert_eq!(&back, text, "{name}: decode round trip");
        }
    }
    println!("{name}: {}/{} cases match", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{name}: {} mismatches:\n{}", failures.len(), failures.join("\n"));
}

fn gguf(name: &str) -> Tokenizer {
    Tokenizer::from_gguf_file(&vocab_dir().join(name)).expect("load vocab gguf")
}

#[test]
fn llama_spm() {
    check(&gguf("ggml-vocab-llama-spm.gguf"), "ggml-vocab-llama-spm.gguf", true);
}

#[test]
fn phi_3() {
    check(&gguf("ggml-vocab-phi-3.gguf"), "ggml-vocab-phi-3.gguf", true);
}

#[test]
fn deepseek_llm() {
    let tok = gguf("ggml-vocab-deepseek-llm.gguf");
    assert_eq!(tok.pre_tokenizer(), Some("deepseek-llm"));
    check(&tok, "ggml-vocab-deepseek-llm.gguf", false);
}

#[test]
fn deepseek_coder() {
    let tok = gguf("ggml-vocab-deepseek-coder.gguf");
    assert_eq!(tok.pre_tokenizer(), Some("deepseek-coder"));
    check(&tok, "ggml-vocab-deepseek-coder.gguf", false);
}

#[test]
fn gpt_2() {
    check(&gguf("ggml-vocab-gpt-2.gguf"), "ggml-vocab-gpt-2.gguf", true);
}

#[test]
fn qwen2_via_tiktoken() {
    let tok = qwen();
    check(&tok, "ggml-vocab-qwen2.gguf", true);
    check(&tok, "ggml-vocab-deepseek-r1-qwen.gguf", true);
}

#[test]
fn llama_bpe_via_tiktoken() {
    check(&llama3(), "ggml-vocab-llama-bpe.gguf", true);
}

#[test]
fn fixture_root_exists() {
    assert!(fixtures().join("PROVENANCE.md").is_file());
}
