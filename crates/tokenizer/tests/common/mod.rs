//! Shared helpers for the fixture tests.
#![allow(dead_code)]

use std::path::PathBuf;

use kaoshi_tokenizer::Tokenizer;

/// `../shared/fixtures` relative to the repository root.
pub fn fixtures() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    assert!(
        p.is_dir(),
        "fixture folder {} is missing: these tests need the shared read-only fixtures \
         (../shared/fixtures next to the repository root)",
        p.display()
    );
    p
}

pub fn vocab_dir() -> PathBuf {
    fixtures().join("tokenizers/llama.cpp-vocab")
}

pub fn llama_spm() -> Tokenizer {
    Tokenizer::from_gguf_file(&vocab_dir().join("ggml-vocab-llama-spm.gguf")).expect("llama-spm vocab")
}

pub fn qwen() -> Tokenizer {
    Tokenizer::from_tiktoken(&fixtures().join("tokenizers/tiktoken/qwen/qwen.tiktoken"), "qwen2")
        .expect("qwen tiktoken")
}

pub fn llama3() -> Tokenizer {
    Tokenizer::from_tiktoken(&fixtures().join("tokenizers/tiktoken/llama3/tokenizer.model"), "llama3")
        .expect("llama3 tiktoken")
}

pub fn stories() -> Tokenizer {
    Tokenizer::from_gguf_file(&fixtures().join("models/stories260K/stories260K.gguf")).expect("stories260K")
}
