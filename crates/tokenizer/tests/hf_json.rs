//! The tokenizer.json path, with a tiny hand-written BPE model.

use kaoshi_tokenizer::{Tokenizer, TokenizerError, TokenizerKind};

/// Byte-level BPE over "hello"/"world" with <s>/</s> added by a template.
const TINY: &str = r#"{
  "version": "1.0",
  "truncation": null,
  "padding": null,
  "added_tokens": [
    {"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
  ],
  "normalizer": null,
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
  "post_processor": {
    "type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
    "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
    "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}
  },
  "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
  "model": {
    "type": "BPE",
    "dropout": null,
    "unk_token": null,
    "continuing_subword_prefix": null,
    "end_of_word_suffix": null,
    "fuse_unk": false,
    "byte_fallback": false,
    "vocab": {"<s>": 0, "</s>": 1, "h": 2, "e": 3, "l": 4, "o": 5, "w": 6, "r": 7, "d": 8, "Ġ": 9,
              "he": 10, "ll": 11, "hell": 12, "hello": 13, "Ġw": 14, "or": 15, "Ġwor": 16, "Ġworld": 17,
              "Ã": 18, "©": 19, "Ġworl": 20},
    "merges": ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d"]
  }
}"#;

#[test]
fn tiny_bpe_tokenizer_json() {
    let tok = Tokenizer::from_tokenizer_json_bytes(TINY.as_bytes()).expect("load");
    assert_eq!(tok.kind(), TokenizerKind::HfJson);
    assert_eq!(tok.bos_id(), Some(0));
    assert!(tok.add_bos());
    assert!(tok.chat_template().is_none());
    let ids = tok.encode("hello world", false, false).expect("encode");
    assert_eq!(ids, vec![13, 17]);
    assert_eq!(tok.decode(&ids, false).expect("decode"), "hello world");
    let with = tok.encode("hello world", true, false).expect("encode");
    assert_eq!(with[0], 0);
    assert_eq!(tok.decode(&with, true).expect("decode"), "hello world");
    // Specials are parsed only on request.
    assert_eq!(tok.encode("hello</s>", false, true).expect("encode"), vec![13, 1]);
    assert_ne!(tok.encode("hello</s>", false, false).expect("encode"), vec![13, 1]);
    assert!(tok.is_special(1));
    assert_eq!(tok.token_bytes(9).expect("bytes"), b" ");
    // "é" = C3 A9 -> two byte-level tokens; streaming joins them.
    let ids = tok.encode("é", false, false).expect("encode");
    assert_eq!(ids, vec![18, 19]);
    let mut d = kaoshi_tokenizer::StreamDecoder::new(&tok);
    assert_eq!(d.push(18).expect("push"), "");
    assert_eq!(d.push(19).expect("push"), "é");
    assert!(matches!(tok.decode(&[99], false), Err(TokenizerError::UnknownTokenId { id: 99 })));
}

#[test]
fn bad_tokenizer_json() {
    assert!(matches!(Tokenizer::from_tokenizer_json_bytes(b"{ not json"), Err(TokenizerError::Malformed { .. })));
    assert!(matches!(
        Tokenizer::from_tokenizer_json_bytes(br#"{"model": {"type": "Nope"}}"#),
        Err(TokenizerError::Hf { .. })
    ));
}

#[test]
fn tokenizer_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Tokenizer>();
}

/// SentencePiece-style tokenizer.json: Metaspace pre-tokenizer, byte fallback.
const TINY_SPM: &str = r#"{
  "version": "1.0",
  "added_tokens": [
    {"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
  ],
  "normalizer": null,
  "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false},
  "post_processor": {
    "type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
    "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
    "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}
  },
  "decoder": {"type": "Sequence", "decoders": [
    {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
    {"type": "ByteFallback"},
    {"type": "Fuse"},
    {"type": "Strip", "content": " ", "start": 1, "stop": 0}
  ]},
  "model": {
    "type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null,
    "end_of_word_suffix": null, "fuse_unk": true, "byte_fallback": true,
    "vocab": {"<unk>": 0, "<s>": 1, "<0xE4>": 2, "<0xBD>": 3, "<0xA0>": 4, "▁": 5, "h": 6, "i": 7, "▁h": 8, "▁hi": 9},
    "merges": ["▁ h", "▁h i"]
  }
}"#;

#[test]
fn tiny_spm_tokenizer_json_streams() {
    let tok = Tokenizer::from_tokenizer_json_bytes(TINY_SPM.as_bytes()).expect("load");
    let ids = tok.encode("hi你", true, false).expect("encode");
    assert_eq!(ids, vec![1, 9, 2, 3, 4]);
    let whole = tok.decode(&ids, true).expect("decode");
    assert_eq!(whole, "hi你");
    let mut d = kaoshi_tokenizer::StreamDecoder::new(&tok);
    let mut s = String::new();
    for &id in &ids {
        s.push_str(&d.push(id).expect("push"));
    }
    s.push_str(&d.finish());
    assert_eq!(s, whole);
}
