//! Hugging Face `tokenizer.json`, wrapped around the `tokenizers` crate.

use serde_json::Value as Json;

use crate::bpe::{char_to_byte_map, unmap_bytes};
use crate::error::TokenizerError;
use crate::gguf_vocab::EOG_NAMES;
use crate::spm::{SPACE_MARK, parse_byte_token};
use crate::vocab::{TokenType, Vocab};
use crate::{Model, Parts, Tokenizer, TokenizerKind};

pub(crate) struct Hf {
    /// Splits added/special tokens out of the text.
    pub parse: tokenizers::Tokenizer,
    /// Same tokenizer with `encode_special_tokens`, i.e. specials are text.
    pub plain: tokenizers::Tokenizer,
}

impl std::fmt::Debug for Hf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hf { .. }")
    }
}

fn hf_err(e: impl std::fmt::Display) -> TokenizerError {
    TokenizerError::Hf { message: e.to_string() }
}

impl Hf {
    pub(crate) fn encode(
        &self,
        text: &str,
        add_special: bool,
        parse_special: bool,
    ) -> Result<Vec<u32>, TokenizerError> {
        let tk = if parse_special { &self.parse } else { &self.plain };
        let enc = tk.encode(text, add_special).map_err(hf_err)?;
        Ok(enc.get_ids().to_vec())
    }

    pub(crate) fn decode(&self, ids: &[u32], skip_special: bool) -> Result<String, TokenizerError> {
        self.parse.decode(ids, skip_special).map_err(hf_err)
    }
}

/// How token strings map to bytes, judged from the `decoder` section.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    ByteLevel,
    SentencePiece,
    Plain,
}

fn decoder_types(v: &Json, out: &mut Vec<String>) {
    if let Some(t) = v.get("type").and_then(Json::as_str) {
        out.push(t.to_string());
        if t == "Replace" && v.get("pattern").and_then(|p| p.get("String")).and_then(Json::as_str) == Some("▁") {
            out.push("Metaspace".into());
        }
    }
    if let Some(list) = v.get("decoders").and_then(Json::as_array) {
        for d in list {
            decoder_types(d, out);
        }
    }
}

/// (bos, eos) texts named by the post-processor, and whether it adds them.
fn template_specials(v: &Json) -> (Option<String>, Option<String>) {
    let Some(t) = v.get("type").and_then(Json::as_str) else { return (None, None) };
    match t {
        "Sequence" => {
            let mut found = (None, None);
            for p in v.get("processors").and_then(Json::as_array).into_iter().flatten() {
                let (b, e) = template_specials(p);
                found.0 = found.0.or(b);
                found.1 = found.1.or(e);
            }
            found
        }
        "TemplateProcessing" => {
            let mut before = None;
            let mut after = None;
            let mut seen_seq = false;
            for item in v.get("single").and_then(Json::as_array).into_iter().flatten() {
                if item.get("Sequence").is_some() {
                    seen_seq = true;
                } else if let Some(id) = item.get("SpecialToken").and_then(|s| s.get("id")).and_then(Json::as_str) {
                    if seen_seq {
                        after.get_or_insert_with(|| id.to_string());
                    } else {
                        before.get_or_insert_with(|| id.to_string());
                    }
                }
            }
            (before, after)
        }
        "BertProcessing" | "RobertaProcessing" => {
            let name = |k: &str| v.get(k).and_then(|x| x.get(0)).and_then(Json::as_str).map(str::to_string);
            (name("cls"), name("sep"))
        }
        _ => (None, None),
    }
}

pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Tokenizer, TokenizerError> {
    let json: Json = serde_json::from_slice(bytes)
        .map_err(|e| TokenizerError::Malformed { what: format!("tokenizer.json is not valid JSON: {e}") })?;
    let parse = tokenizers::Tokenizer::from_bytes(bytes).map_err(hf_err)?;
    let mut plain = parse.clone();
    plain.set_encode_special_tokens(true);

    let vocab_map = parse.get_vocab(true);
    let n = vocab_map.values().map(|&i| i as usize + 1).max().unwrap_or(0);
    let mut tokens = vec![String::new(); n];
    for (text, &id) in &vocab_map {
        if let Some(slot) = tokens.get_mut(id as usize) {
            *slot = text.clone();
        }
    }
    let mut types = vec![TokenType::Normal; n];
    for (id, tok) in parse.get_added_tokens_decoder() {
        if let Some(slot) = types.get_mut(id as usize) {
            *slot = if tok.special { TokenType::Control } else { TokenType::UserDefined };
        }
    }
    let mut decoders = Vec::new();
    if let Some(d) = json.get("decoder") {
        decoder_types(d, &mut decoders);
    }
    let has = |name: &str| decoders.iter().any(|d| d == name);
    let style = if has("ByteLevel") {
        Style::ByteLevel
    } else if has("ByteFallback") || has("Metaspace") {
        Style::SentencePiece
    } else {
        Style::Plain
    };
    if style == Style::SentencePiece && has("ByteFallback") {
        for (i, t) in tokens.iter().enumerate() {
            if types[i] == TokenType::Normal && parse_byte_token(t).is_some() {
                types[i] = TokenType::Byte;
            }
        }
    }
    let map = char_to_byte_map();
    let pieces: Vec<Vec<u8>> = tokens
        .iter()
        .zip(&types)
        .map(|(t, ty)| match (ty, style) {
            (TokenType::Control | TokenType::UserDefined, _) => t.clone().into_bytes(),
            (_, Style::ByteLevel) => unmap_bytes(t, &map).unwrap_or_else(|| t.clone().into_bytes()),
            (TokenType::Byte, Style::SentencePiece) => parse_byte_token(t).map(|b| vec![b]).unwrap_or_default(),
            (_, Style::SentencePiece) => t.replace(SPACE_MARK, " ").into_bytes(),
            _ => t.clone().into_bytes(),
        })
        .collect();
    let vocab = Vocab::new(tokens, types);

    let (tpl_bos, tpl_eos) = json.get("post_processor").map(template_specials).unwrap_or((None, None));
    let find = |names: &[&str]| names.iter().find_map(|n| vocab.index.get(*n).copied());
    let bos = tpl_bos
        .as_deref()
        .and_then(|t| vocab.index.get(t).copied())
        .or_else(|| find(&["<s>", "<|begin_of_text|>", "<bos>", "<｜begin▁of▁sentence｜>", "[CLS]"]));
    let eos = tpl_eos
        .as_deref()
        .and_then(|t| vocab.index.get(t).copied())
        .or_else(|| find(&["</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>", "<｜end▁of▁sentence｜>", "[SEP]"]));
    let mut stop: Vec<u32> = eos.into_iter().collect();
    for name in EOG_NAMES {
        if let Some(&i) = vocab.index.get(*name) {
            stop.push(i);
        }
    }
    // Metaspace with a prepended "▁": the first piece carries a space that
    // is not part of the text (matters only for streaming).
    let strip_first_space = (style == Style::SentencePiece
        && json.get("normalizer").map(|n| n.to_string().contains("Prepend")).unwrap_or(false))
        || json.get("pre_tokenizer").map(|p| {
            let s = p.to_string();
            s.contains("Metaspace") && !s.contains("\"never\"")
        }) == Some(true);
    Ok(Tokenizer::assemble(Parts {
        kind: TokenizerKind::HfJson,
        pre: None,
        vocab,
        pieces,
        bos,
        eos,
        add_bos: tpl_bos.is_some(),
        add_eos: tpl_eos.is_some(),
        add_space_prefix: false,
        strip_first_space,
        stop,
        chat_template: None,
        model: Model::Hf(Box::new(Hf { parse, plain })),
    }))
}
