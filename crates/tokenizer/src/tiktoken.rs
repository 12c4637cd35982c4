//! tiktoken rank files (`base64(token bytes) rank` per line) and the special
//! tokens that the Qwen2 and Llama 3 families put after the base ranks.

use std::collections::HashMap;

use base64::Engine as _;

use crate::error::{TokenizerError, malformed};

/// Parses a tiktoken rank file into `bytes[rank]`. Ranks must be dense
/// (0..n) so that ids and ranks coincide.
pub(crate) fn parse_ranks(data: &str) -> Result<Vec<Vec<u8>>, TokenizerError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut pairs: Vec<(u32, Vec<u8>)> = Vec::new();
    for (lineno, line) in data.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let bad = |why: &str| malformed(format!("tiktoken line {}: {why}: {line:?}", lineno + 1));
        let mut it = line.split(' ');
        let (Some(tok), Some(rank), None) = (it.next(), it.next(), it.next()) else {
            return Err(bad("expected `base64 rank`"));
        };
        let bytes = b64.decode(tok).map_err(|_| bad("bad base64"))?;
        let rank: u32 = rank.parse().map_err(|_| bad("bad rank"))?;
        pairs.push((rank, bytes));
    }
    if pairs.is_empty() {
        return Err(malformed("tiktoken file has no ranks"));
    }
    pairs.sort_by_key(|p| p.0);
    let mut out = Vec::with_capacity(pairs.len());
    for (i, (rank, bytes)) in pairs.into_iter().enumerate() {
        if rank as usize != i {
            return Err(malformed(format!("tiktoken ranks are not dense: expected {i}, found {rank}")));
        }
        out.push(bytes);
    }
    Ok(out)
}

/// True if `data` looks like a tiktoken rank file (first line `base64 int`).
pub(crate) fn sniff(data: &[u8]) -> bool {
    let head = &data[..data.len().min(512)];
    let Some(line) = head.split(|&b| b == b'\n').next() else { return false };
    let Ok(line) = std::str::from_utf8(line) else { return false };
    let mut it = line.trim_end().split(' ');
    match (it.next(), it.next(), it.next()) {
        (Some(t), Some(r), None) => {
            !t.is_empty()
                && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
                && r.parse::<u32>().is_ok()
        }
        _ => false,
    }
}

/// Special tokens of one family: (text, is control). Non-control entries are
/// "user-defined" (HF `special: false`), which are still split out of text.
pub(crate) struct Family {
    pub name: &'static str,
    pub specials: Vec<(String, bool)>,
    pub bos: Option<&'static str>,
    pub eos: &'static str,
    pub eot: &'static [&'static str],
    pub add_bos: bool,
}

/// Qwen2 / Qwen2.5 added tokens, ids 151643..=151664, from Qwen2.5-VL
/// `added_tokens.json` / `tokenizer_config.json` (`added_tokens_decoder`,
/// whose `special` flag gives the control/user-defined split).
const QWEN2_SPECIALS: &[(&str, bool)] = &[
    ("<|endoftext|>", true),
    ("<|im_start|>", true),
    ("<|im_end|>", true),
    ("<|object_ref_start|>", true),
    ("<|object_ref_end|>", true),
    ("<|box_start|>", true),
    ("<|box_end|>", true),
    ("<|quad_start|>", true),
    ("<|quad_end|>", true),
    ("<|vision_start|>", true),
    ("<|vision_end|>", true),
    ("<|vision_pad|>", true),
    ("<|image_pad|>", true),
    ("<|video_pad|>", true),
    ("<tool_call>", false),
    ("</tool_call>", false),
    ("<|fim_prefix|>", false),
    ("<|fim_middle|>", false),
    ("<|fim_suffix|>", false),
    ("<|fim_pad|>", false),
    ("<|repo_name|>", false),
    ("<|file_sep|>", false),
];

/// Llama 3 special tokens at 128000..=128255, in the order of
/// meta-llama/llama-models `models/llama3/tokenizer.py`.
fn llama3_specials() -> Vec<(String, bool)> {
    let mut v: Vec<String> = [
        "<|begin_of_text|>",
        "<|end_of_text|>",
        "<|reserved_special_token_0|>",
        "<|reserved_special_token_1|>",
        "<|finetune_right_pad_id|>",
        "<|step_id|>",
        "<|start_header_id|>",
        "<|end_header_id|>",
        "<|eom_id|>",
        "<|eot_id|>",
        "<|python_tag|>",
        "<|image|>",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let n = v.len();
    v.extend((0..256 - n).map(|i| format!("<|reserved_special_token_{}|>", 2 + i)));
    v.into_iter().map(|s| (s, true)).collect()
}

/// The family for a pre-tokenizer name given to `from_tiktoken`.
pub(crate) fn family(pre: &str) -> Result<Family, TokenizerError> {
    match pre {
        "qwen2" | "deepseek-r1-qwen" => Ok(Family {
            name: "qwen2",
            specials: QWEN2_SPECIALS.iter().map(|&(s, c)| (s.to_string(), c)).collect(),
            bos: None,
            eos: "<|endoftext|>",
            eot: &["<|im_end|>"],
            add_bos: false,
        }),
        "llama3" | "llama-bpe" | "llama-v3" => Ok(Family {
            name: "llama3",
            specials: llama3_specials(),
            bos: Some("<|begin_of_text|>"),
            eos: "<|end_of_text|>",
            eot: &["<|eot_id|>", "<|eom_id|>"],
            add_bos: true,
        }),
        _ => Err(TokenizerError::UnknownPreTokenizer {
            name: pre.to_string(),
            known: "qwen2, deepseek-r1-qwen, llama3, llama-bpe, llama-v3".to_string(),
        }),
    }
}

/// bytes -> rank map for the base ranks.
pub(crate) fn rank_map(ranks: &[Vec<u8>]) -> HashMap<Vec<u8>, u32> {
    ranks.iter().enumerate().map(|(i, b)| (b.clone(), i as u32)).collect()
}
