//! Building a [`Tokenizer`] from GGUF `tokenizer.ggml.*` metadata, with the
//! defaults llama.cpp applies (src/llama-vocab.cpp `llama_vocab::impl::load`).

use std::collections::HashMap;

use kaoshi_formats::Value;

use crate::bpe::{Bpe, Ranks, char_to_byte_map, unmap_bytes};
use crate::error::{TokenizerError, malformed};
use crate::pretokenize::PreTokenizer;
use crate::spm::{Spm, piece_bytes};
use crate::vocab::{TokenType, Vocab};
use crate::{Model, Parts, Tokenizer, TokenizerKind};

type Md = HashMap<String, Value>;

fn bad(key: &str, reason: impl Into<String>) -> TokenizerError {
    TokenizerError::BadMetadata { key: key.to_string(), reason: reason.into() }
}

fn get_str<'a>(md: &'a Md, key: &str) -> Result<Option<&'a str>, TokenizerError> {
    match md.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(bad(key, "expected a string")),
    }
}

fn get_int(md: &Md, key: &str) -> Result<Option<i64>, TokenizerError> {
    Ok(match md.get(key) {
        None => None,
        Some(v) => Some(as_int(v).ok_or_else(|| bad(key, "expected an integer"))?),
    })
}

fn as_int(v: &Value) -> Option<i64> {
    Some(match v {
        Value::U8(x) => *x as i64,
        Value::I8(x) => *x as i64,
        Value::U16(x) => *x as i64,
        Value::I16(x) => *x as i64,
        Value::U32(x) => *x as i64,
        Value::I32(x) => *x as i64,
        Value::U64(x) => i64::try_from(*x).ok()?,
        Value::I64(x) => *x,
        _ => return None,
    })
}

fn get_bool(md: &Md, key: &str) -> Result<Option<bool>, TokenizerError> {
    match md.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => as_int(v).map(|i| Some(i != 0)).ok_or_else(|| bad(key, "expected a bool")),
    }
}

fn get_array<'a>(md: &'a Md, key: &str) -> Result<Option<&'a [Value]>, TokenizerError> {
    match md.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a.as_slice())),
        Some(_) => Err(bad(key, "expected an array")),
    }
}

fn strings(md: &Md, key: &str) -> Result<Option<Vec<String>>, TokenizerError> {
    let Some(arr) = get_array(md, key)? else { return Ok(None) };
    arr.iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err(bad(key, "expected an array of strings")),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// End-of-generation token texts llama.cpp recognises by name
/// (`llama_vocab::impl::load`, the special_eot/eog auto-detection).
pub(crate) const EOG_NAMES: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "<|end_of_text|>",
    "<｜end▁of▁sentence｜>",
];

pub(crate) fn from_metadata(md: &Md) -> Result<Tokenizer, TokenizerError> {
    let model = get_str(md, "tokenizer.ggml.model")?
        .ok_or_else(|| TokenizerError::MissingMetadata { key: "tokenizer.ggml.model".into() })?;
    let kind = match model {
        "llama" => TokenizerKind::SentencePiece,
        "gpt2" => TokenizerKind::Gpt2Bpe,
        other => return Err(TokenizerError::UnknownModel { name: other.to_string() }),
    };
    let mut tokens = strings(md, "tokenizer.ggml.tokens")?
        .ok_or_else(|| TokenizerError::MissingMetadata { key: "tokenizer.ggml.tokens".into() })?;
    if tokens.is_empty() {
        return Err(bad("tokenizer.ggml.tokens", "empty vocabulary"));
    }
    if tokens.len() > u32::MAX as usize / 2 {
        return Err(bad("tokenizer.ggml.tokens", "vocabulary too large"));
    }
    for (i, t) in tokens.iter_mut().enumerate() {
        if t.is_empty() {
            // llama.cpp names empty tokens this way so they stay unique.
            *t = format!("[EMPTY_{i}]");
        }
    }
    let n = tokens.len();
    let types: Vec<TokenType> = match get_array(md, "tokenizer.ggml.token_type")? {
        None => vec![TokenType::Normal; n],
        Some(arr) => {
            if arr.len() != n {
                return Err(bad("tokenizer.ggml.token_type", format!("{} entries for {n} tokens", arr.len())));
            }
            arr.iter()
                .map(|v| as_int(v).map(TokenType::from_gguf))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("tokenizer.ggml.token_type", "expected integers"))?
        }
    };
    let vocab = Vocab::new(tokens, types);

    let id = |key: &str, default: Option<u32>| -> Result<Option<u32>, TokenizerError> {
        Ok(match get_int(md, key)? {
            Some(v) if v >= 0 && (v as usize) < n => Some(v as u32),
            // llama.cpp warns about an out-of-range id and keeps the default.
            Some(_) => default,
            None => default,
        })
    };
    let pre_name = get_str(md, "tokenizer.ggml.pre")?.map(str::to_string);
    let chat_template = get_str(md, "tokenizer.chat_template")?.map(str::to_string);

    let (bos, eos, unk, add_bos_default, add_space_prefix, model_impl, pieces);
    match kind {
        TokenizerKind::SentencePiece => {
            let in_range = |i: u32| ((i as usize) < n).then_some(i);
            bos = id("tokenizer.ggml.bos_token_id", in_range(1))?;
            eos = id("tokenizer.ggml.eos_token_id", in_range(2))?;
            unk = id("tokenizer.ggml.unknown_token_id", in_range(0))?;
            add_bos_default = true;
            add_space_prefix = get_bool(md, "tokenizer.ggml.add_space_prefix")?.unwrap_or(true);
            let scores = match get_array(md, "tokenizer.ggml.scores")? {
                None => vec![0.0; n],
                Some(arr) => arr
                    .iter()
                    .map(|v| match v {
                        Value::F32(f) => Some(*f),
                        Value::F64(f) => Some(*f as f32),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| bad("tokenizer.ggml.scores", "expected floats"))?,
            };
            if scores.len() != n {
                return Err(bad("tokenizer.ggml.scores", format!("{} entries for {n} tokens", scores.len())));
            }
            pieces = (0..n).map(|i| spm_piece(&vocab, i)).collect::<Vec<_>>();
            model_impl = Model::Spm(Spm::new(&vocab, scores, unk));
        }
        _ => {
            bos = id("tokenizer.ggml.bos_token_id", None)?;
            eos = id("tokenizer.ggml.eos_token_id", None)?;
            unk = id("tokenizer.ggml.unknown_token_id", None)?;
            add_space_prefix = false;
            let pre = pre_name.as_deref().unwrap_or("default");
            let pretok = PreTokenizer::by_name(pre)?;
            // llama.cpp: Llama-3 style vocabularies ignore merges for whole
            // words and add BOS by default.
            let llama3 = matches!(pre, "llama3" | "llama-v3" | "llama-bpe" | "falcon3");
            add_bos_default = llama3;
            let map = char_to_byte_map();
            let mut bytes_to_id = HashMap::with_capacity(n);
            pieces = (0..n)
                .map(|i| {
                    let t = &vocab.tokens[i];
                    match vocab.types[i] {
                        TokenType::Normal | TokenType::Byte => {
                            unmap_bytes(t, &map).unwrap_or_else(|| t.clone().into_bytes())
                        }
                        TokenType::Unused => Vec::new(),
                        _ => t.clone().into_bytes(),
                    }
                })
                .collect::<Vec<_>>();
            for (i, t) in vocab.tokens.iter().enumerate() {
                // llama.cpp looks merged words up by their byte-level text,
                // later duplicates winning.
                if let Some(b) = unmap_bytes(t, &map) {
                    bytes_to_id.insert(b, i as u32);
                }
            }
            let merges = strings(md, "tokenizer.ggml.merges")?
                .ok_or_else(|| TokenizerError::MissingMetadata { key: "tokenizer.ggml.merges".into() })?;
            let mut ranks = HashMap::with_capacity(merges.len());
            for (rank, m) in merges.iter().enumerate() {
                // llama.cpp splits at the first space after position 0.
                let Some(pos) = m.char_indices().skip(1).find(|&(_, c)| c == ' ').map(|(p, _)| p) else {
                    return Err(malformed(format!("merge {rank} has no space: {m:?}")));
                };
                let (a, b) = (&m[..pos], &m[pos + 1..]);
                if let (Some(&a), Some(&b)) = (vocab.index.get(a), vocab.index.get(b)) {
                    ranks.entry((a, b)).or_insert(rank as u32);
                }
            }
            model_impl = Model::Bpe(Bpe::new(pretok, bytes_to_id, Ranks::Merges(ranks), llama3, unk));
        }
    }
    let add_bos = get_bool(md, "tokenizer.ggml.add_bos_token")?.unwrap_or(add_bos_default);
    let add_eos = get_bool(md, "tokenizer.ggml.add_eos_token")?.unwrap_or(false);
    let mut stop: Vec<u32> = Vec::new();
    stop.extend(eos);
    for key in ["tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"] {
        stop.extend(id(key, None)?);
    }
    for name in EOG_NAMES {
        if let Some(&i) = vocab.index.get(*name) {
            stop.push(i);
        }
    }
    Ok(Tokenizer::assemble(Parts {
        kind,
        pre: if kind == TokenizerKind::Gpt2Bpe { Some(pre_name.unwrap_or_else(|| "default".into())) } else { pre_name },
        vocab,
        pieces,
        bos,
        eos,
        add_bos,
        add_eos,
        strip_first_space: add_space_prefix,
        add_space_prefix,
        stop,
        chat_template,
        model: model_impl,
    }))
}

fn spm_piece(vocab: &Vocab, i: usize) -> Vec<u8> {
    let t = &vocab.tokens[i];
    match vocab.types[i] {
        TokenType::Normal => piece_bytes(t, false),
        TokenType::Byte => piece_bytes(t, true),
        TokenType::Unused => Vec::new(),
        // Control, unknown and user-defined tokens render as stored.
        _ => t.clone().into_bytes(),
    }
}
