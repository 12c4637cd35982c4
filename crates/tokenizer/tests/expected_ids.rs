//! `tokenizers/expected/*.json`: every case whose tokenizer exists here.

mod common;

use common::{fixtures, llama_spm, llama3, qwen, stories};
use kaoshi_tokenizer::Tokenizer;
use serde_json::Value;

fn load(name: &str) -> Value {
    let p = fixtures().join("tokenizers/expected").join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).expect("read json")).expect("parse json")
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array().expect("id list").iter().map(|x| x.as_u64().expect("id") as u32).collect()
}

fn cases<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]["cases"].as_array().unwrap_or_else(|| panic!("{key}: no cases"))
}

#[test]
fn expected_token_ids_json() {
    let v = load("expected_token_ids.json");
    let mut counts = Vec::new();

    let spm = llama_spm();
    let c = cases(&v, "llama2_sentencepiece__llama2.c_test.c");
    for case in c {
        let text = case["text"].as_str().expect("text");
        assert_eq!(spm.encode(text, true, false).expect("encode"), ids(&case["ids_with_bos"]), "{text:?}");
    }
    counts.push(("llama2 spm (llama2.c test.c)", c.len()));

    let l3 = llama3();
    let c = cases(&v, "llama3_tiktoken__llama-models_test_tokenizer");
    for case in c {
        let text = case["text"].as_str().expect("text");
        if let Some(want) = case.get("ids_bos_eos") {
            let mut got = l3.encode(text, true, false).expect("encode");
            got.extend(l3.eos_id());
            assert_eq!(got, ids(want), "{text:?}");
        } else {
            assert_eq!(l3.encode(text, false, false).expect("encode"), ids(&case["ids_no_special"]), "{text:?}");
        }
    }
    counts.push(("llama3 tiktoken (llama-models)", c.len()));

    let c = cases(&v, "llama3.2_bpe__ollama_bytepairencoding_test");
    for case in c {
        let text = case["text"].as_str().expect("text");
        assert_eq!(l3.encode(text, false, true).expect("encode"), ids(&case["ids"]), "{text:?}");
    }
    counts.push(("llama3 tiktoken (ollama)", c.len()));

    let st = stories();
    let c = cases(&v, "stories260K_tok512__llama.cpp_server_README");
    for case in c {
        let text = case["text"].as_str().expect("text");
        let got = st.encode(text, false, false).expect("encode");
        // The README shows only the two byte tokens; llama.cpp's SPM
        // tokenizer (add_space_prefix defaults to true and the file does not
        // override it) puts the "▁" token (410) in front of them.
        let space = st.token_id("\u{2581}").expect("▁ token");
        let mut want = vec![space];
        want.extend(ids(&case["ids"]));
        assert_eq!(got, want, "{text:?}");
        let got = got[1..].to_vec();
        let pieces: Vec<Vec<u8>> = got.iter().map(|&i| st.token_bytes(i).expect("bytes")).collect();
        let want: Vec<Vec<u8>> = case["pieces_bytes"]
            .as_array()
            .expect("pieces")
            .iter()
            .map(|p| ids(p).into_iter().map(|b| b as u8).collect())
            .collect();
        assert_eq!(pieces, want);
        assert_eq!(st.decode(&got, true).expect("decode"), text);
        assert_eq!(st.decode(&st.encode(text, true, false).expect("encode"), true).expect("decode"), text);
    }
    counts.push(("stories260K tok512 (llama.cpp server README)", c.len()));

    for (name, n) in &counts {
        println!("expected_token_ids.json: {name}: {n} cases");
        assert!(*n > 0, "{name}: no cases ran");
    }
}

/// transformers.js TEST_CONFIG cases; `ids` are with the tokenizer's default
/// add_special_tokens. Models without a tokenizer file here are skipped.
#[test]
fn transformersjs_cases() {
    let v = load("transformersjs_tokenization_cases.json");
    let runs: [(&str, &str, Tokenizer, bool); 4] = [
        ("qwen2", "Xenova/Qwen1.5-0.5B-Chat", qwen(), false),
        ("llama", "Xenova/llama-tokenizer", llama_spm(), true),
        ("llama", "Xenova/llama3-tokenizer", llama3(), false),
        ("llama", "Xenova/llama3-tokenizer-new", llama3(), true),
    ];
    for (family, model, tok, add_special) in &runs {
        let cases = v[family][model].as_object().unwrap_or_else(|| panic!("{model}: no cases"));
        let mut n = 0;
        for (name, case) in cases {
            let text = case["text"].as_str().expect("text");
            let want = ids(&case["ids"]);
            let got = tok.encode(text, *add_special, false).expect("encode");
            assert_eq!(got, want, "{model} {name}: {text:?}");
            // Decoding without specials gives the text back (SPM cannot tell a
            // literal "▁" from an escaped space, so skip those).
            if text.contains('\u{2581}') && *family == "llama" && *model == "Xenova/llama-tokenizer" {
                n += 1;
                continue;
            }
            assert_eq!(tok.decode(&got, true).expect("decode"), text, "{model} {name}: decode");
            n += 1;
        }
        println!("transformersjs_tokenization_cases.json: {model}: {n} cases");
        assert!(n > 0, "{model}: no cases ran");
    }
}

/// Xenova/deepseek-coder-1.3b-instruct shares its base vocabulary with
/// llama.cpp's ggml-vocab-deepseek-coder.gguf (deepseek-coder-6.7b-base).
#[test]
fn transformersjs_deepseek_coder() {
    let v = load("transformersjs_tokenization_cases.json");
    let tok = Tokenizer::from_gguf_file(&common::vocab_dir().join("ggml-vocab-deepseek-coder.gguf")).expect("load");
    let cases = v["llama"]["Xenova/deepseek-coder-1.3b-instruct"].as_object().expect("cases");
    let mut bad = Vec::new();
    for (name, case) in cases {
        let text = case["text"].as_str().expect("text");
        let got = tok.encode(text, true, false).expect("encode");
        assert_eq!(tok.decode(&got, true).expect("decode"), text, "{name}: decode");
        if got != ids(&case["ids"]) {
            bad.push(format!("{name}: {text:?}\n want {:?}\n  got {got:?}", ids(&case["ids"])));
        }
    }
    println!(
        "transformersjs_tokenization_cases.json: Xenova/deepseek-coder-1.3b-instruct (via ggml-vocab-deepseek-coder.gguf): {} cases",
        cases.len()
    );
    assert!(!cases.is_empty(), "no deepseek-coder cases ran");
    assert!(bad.is_empty(), "{} mismatches:\n{}", bad.len(), bad.join("\n"));
}
