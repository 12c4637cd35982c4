//! Bad inputs give typed errors, never panics.

mod common;

use std::path::PathBuf;

use candle_core::quantized::gguf_file::{self, Value};
use common::{llama_spm, qwen};
use kaoshi_tokenizer::{Tokenizer, TokenizerError};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaoshi-tokenizer-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn write_gguf(name: &str, md: &[(&str, Value)]) -> PathBuf {
    let path = temp(name);
    let mut f = std::fs::File::create(&path).expect("create");
    let refs: Vec<(&str, &Value)> = md.iter().map(|(k, v)| (*k, v)).collect();
    gguf_file::write(&mut f, &refs, &[]).expect("write gguf");
    path
}

fn tokens(list: &[&str]) -> Value {
    Value::Array(list.iter().map(|s| Value::String(s.to_string())).collect())
}

#[test]
fn not_a_gguf() {
    let p = temp("garbage.gguf");
    std::fs::write(&p, b"this is not a gguf file at all").expect("write");
    assert!(matches!(Tokenizer::from_gguf_file(&p), Err(TokenizerError::Gguf { .. })));
    assert!(matches!(Tokenizer::from_path(&p, None), Err(TokenizerError::UnknownFormat { .. })));
    let missing = temp("does-not-exist.gguf");
    assert!(matches!(Tokenizer::from_path(&missing, None), Err(TokenizerError::Io { .. })));
}

#[test]
fn unknown_model_and_pre() {
    let p = write_gguf(
        "bert.gguf",
        &[("tokenizer.ggml.model", Value::String("bert".into())), ("tokenizer.ggml.tokens", tokens(&["a"]))],
    );
    match Tokenizer::from_path(&p, None) {
        Err(TokenizerError::UnknownModel { name }) => assert_eq!(name, "bert"),
        other => panic!("expected UnknownModel, got {other:?}"),
    }
    let p = write_gguf(
        "pre.gguf",
        &[
            ("tokenizer.ggml.model", Value::String("gpt2".into())),
            ("tokenizer.ggml.pre", Value::String("no-such-pre".into())),
            ("tokenizer.ggml.tokens", tokens(&["a", "b", "ab"])),
            ("tokenizer.ggml.merges", tokens(&["a b"])),
        ],
    );
    match Tokenizer::from_gguf_file(&p) {
        Err(TokenizerError::UnknownPreTokenizer { name, known }) => {
            assert_eq!(name, "no-such-pre");
            assert!(known.contains("qwen2") && known.contains("llama-bpe"));
        }
        other => panic!("expected UnknownPreTokenizer, got {other:?}"),
    }
    let p = write_gguf("nomodel.gguf", &[("general.name", Value::String("x".into()))]);
    assert!(matches!(Tokenizer::from_gguf_file(&p), Err(TokenizerError::MissingMetadata { .. })));
    let p = write_gguf(
        "badtypes.gguf",
        &[("tokenizer.ggml.model", Value::String("llama".into())), ("tokenizer.ggml.tokens", Value::U32(3))],
    );
    assert!(matches!(Tokenizer::from_gguf_file(&p), Err(TokenizerError::BadMetadata { .. })));
}

#[test]
fn tiny_gpt2_gguf_works() {
    let p = write_gguf(
        "tiny-gpt2.gguf",
        &[
            ("tokenizer.ggml.model", Value::String("gpt2".into())),
            ("tokenizer.ggml.pre", Value::String("gpt-2".into())),
            ("tokenizer.ggml.tokens", tokens(&["a", "b", "ab", "Ġ", "Ġab"])),
            ("tokenizer.ggml.merges", tokens(&["a b", "Ġ ab"])),
        ],
    );
    let tok = Tokenizer::from_path(&p, None).expect("load");
    assert_eq!(tok.encode("ab ab", false, false).expect("encode"), vec![2, 4]);
    assert_eq!(tok.decode(&[2, 4], false).expect("decode"), "ab ab");
    // "c" has no token and there is no byte token or <unk>.
    assert!(matches!(tok.encode("c", false, false), Err(TokenizerError::Unencodable { byte: b'c' })));
}

#[test]
fn bad_tiktoken() {
    let p = temp("bad.tiktoken");
    std::fs::write(&p, "IQ== 0\nnot-base64!! 1\n").expect("write");
    assert!(matches!(Tokenizer::from_tiktoken(&p, "qwen2"), Err(TokenizerError::Malformed { .. })));
    std::fs::write(&p, "IQ== 0\nIg== x\n").expect("write");
    assert!(matches!(Tokenizer::from_tiktoken(&p, "qwen2"), Err(TokenizerError::Malformed { .. })));
    std::fs::write(&p, "IQ== 0\nIg== 1\n").expect("write");
    assert!(matches!(Tokenizer::from_tiktoken(&p, "gpt9"), Err(TokenizerError::UnknownPreTokenizer { .. })));
    assert!(matches!(Tokenizer::from_path(&p, None), Err(TokenizerError::PreTokenizerRequired { .. })));
    assert!(Tokenizer::from_path(&p, Some("qwen2")).is_ok());
}

#[test]
fn out_of_range_ids() {
    for tok in [llama_spm(), qwen()] {
        let n = tok.vocab_size() as u32;
        assert!(matches!(tok.decode(&[n], false), Err(TokenizerError::UnknownTokenId { id }) if id == n));
        assert!(matches!(tok.token_bytes(u32::MAX), Err(TokenizerError::UnknownTokenId { .. })));
        assert!(tok.token_text(n).is_none());
        assert!(tok.token_str(n).is_none());
        assert!(!tok.is_special(n));
        let mut d = kaoshi_tokenizer::StreamDecoder::new(&tok);
        assert!(d.push(n).is_err());
    }
}
