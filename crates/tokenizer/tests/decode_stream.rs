//! Decoding conventions and the streaming decoder.

mod common;

use common::{fixtures, llama_spm, llama3, qwen, stories};
use kaoshi_tokenizer::{StreamDecoder, Tokenizer};

fn stream(tok: &Tokenizer, ids: &[u32]) -> String {
    let mut d = StreamDecoder::new(tok);
    let mut out = String::new();
    for &id in ids {
        let piece = d.push(id).expect("push");
        assert!(!piece.contains('\u{FFFD}'), "stream emitted a partial character");
        out.push_str(&piece);
    }
    out.push_str(&d.finish());
    out
}

#[test]
fn stories260k_llama2c_convention() {
    let tok = stories();
    assert_eq!(tok.vocab_size(), 512);
    assert_eq!((tok.bos_id(), tok.eos_id(), tok.add_bos()), (Some(1), Some(2), true));
    let path = fixtures().join("models/stories260K/expected/observed_llama2c_run.c_t0_n256_noprompt.txt");
    let text = std::fs::read_to_string(path).expect("expected text");
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let ids = tok.encode(text, true, false).expect("encode");
    assert_eq!(ids[0], 1);
    // BOS renders as nothing and the space prefix after it is dropped.
    assert_eq!(tok.decode(&ids, true).expect("decode"), text);
    assert_eq!(tok.decode(&ids, false).expect("decode"), text);
    assert_eq!(stream(&tok, &ids), text);
    assert_eq!(stream(&tok, &ids[1..]), text);
    // A continuation keeps its space.
    let mut d = StreamDecoder::continuing(&tok, Some(ids[1]));
    let first = d.push(tok.token_id("\u{2581}a").expect("▁a")).expect("push");
    assert_eq!(first, " a");
}

#[test]
fn chinese_streams_like_decode() {
    let text = "生活的真谛是 你好，世界！🙂 Führer";
    for tok in [llama_spm(), stories(), qwen(), llama3()] {
        let ids = tok.encode(text, true, false).expect("encode");
        let whole = tok.decode(&ids, true).expect("decode");
        assert_eq!(whole, text, "{}", tok.kind());
        assert_eq!(stream(&tok, &ids), whole, "{}", tok.kind());
    }
    // Byte tokens really are split across pushes in the SPM case.
    let tok = stories();
    let ids = tok.encode("生", false, false).expect("encode");
    assert!(ids.len() >= 3, "{ids:?}");
}

#[test]
fn specials_and_stop_ids() {
    let q = qwen();
    assert_eq!(q.vocab_size(), 151665);
    assert_eq!(q.token_id("<|im_start|>"), Some(151644));
    assert_eq!(q.token_id("<|file_sep|>"), Some(151664));
    assert_eq!((q.bos_id(), q.eos_id(), q.add_bos()), (None, Some(151643), false));
    assert_eq!(q.stop_ids(), vec![151643, 151645]);
    let ids = q.encode("<|im_start|>user\nhi<|im_end|>", false, true).expect("encode");
    assert_eq!(ids.first(), Some(&151644));
    assert_eq!(ids.last(), Some(&151645));
    assert!(q.is_special(151644));
    let plain = q.encode("<|im_start|>", false, false).expect("encode");
    assert!(!plain.contains(&151644));
    assert_eq!(q.decode(&ids, false).expect("decode"), "<|im_start|>user\nhi<|im_end|>");
    assert_eq!(q.decode(&ids, true).expect("decode"), "user\nhi");

    let l = llama3();
    assert_eq!(l.vocab_size(), 128256);
    assert_eq!((l.bos_id(), l.eos_id(), l.add_bos()), (Some(128000), Some(128001), true));
    assert_eq!(l.token_id("<|eot_id|>"), Some(128009));
    assert_eq!(l.token_id("<|reserved_special_token_245|>"), Some(128255));
    assert_eq!(l.stop_ids(), vec![128001, 128009, 128008]);
    let ids = l.encode("<|start_header_id|>user<|end_header_id|>\n\n", true, true).expect("encode");
    assert_eq!(ids, vec![128000, 128006, 882, 128007, 271]);
    assert_eq!(l.token_str(128006).as_deref(), Some("<|start_header_id|>"));

    let s = llama_spm();
    assert_eq!(s.encode("<s>hi", false, true).expect("encode")[0], 1);
    assert_eq!(s.token_bytes(13).expect("bytes"), b"\n");
    assert_eq!(s.token_text(29871), Some("\u{2581}"));
    assert_eq!(s.token_bytes(29871).expect("bytes"), b" ");
    assert!(s.chat_template().is_none());
}

#[test]
fn tricky_text_round_trips() {
    let long_ws = " ".repeat(3000) + "\n\t x";
    let long_word = "ab".repeat(2000);
    let texts = [
        "\u{0}\u{1}\u{7f}",
        "\r\n\r\n  \t",
        "👩‍👩‍👧 e\u{301}\u{301} ﷽",
        "<|im_start|<|im_end <s </s>>",
        "'S 'LL 'd 3.14159 1,000,000",
        long_ws.as_str(),
        long_word.as_str(),
    ];
    for tok in [llama_spm(), stories(), qwen(), llama3()] {
        for t in texts {
            let ids = tok.encode(t, true, false).expect("encode");
            assert_eq!(tok.decode(&ids, true).expect("decode"), t, "{} {t:?}", tok.kind());
            assert_eq!(stream(&tok, &ids), t, "{} stream {t:?}", tok.kind());
        }
    }
}
