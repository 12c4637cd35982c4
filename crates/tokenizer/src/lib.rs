//! kaoshi-tokenizer: text <-> token ids for every tokenizer kind kaoshi reads,
//! and chat-template rendering ([`chat`]).
//!
//! Supported sources:
//! * GGUF metadata (`tokenizer.ggml.model` = `llama` for SentencePiece BPE
//!   with byte fallback, `gpt2` for byte-level BPE with a named regex
//!   pre-tokenizer), matching llama.cpp's tokenizer id for id;
//! * tiktoken rank files (Qwen2 and Llama 3 families);
//! * Hugging Face `tokenizer.json` (via the `tokenizers` crate).
//!
//! ```no_run
//! use kaoshi_tokenizer::{StreamDecoder, Tokenizer};
//!
//! # fn main() -> Result<(), kaoshi_tokenizer::TokenizerError> {
//! let tok = Tokenizer::from_path("model.gguf".as_ref(), None)?;
//! let ids = tok.encode("Hello world", true, false)?;
//! assert_eq!(tok.decode(&ids, true)?, "Hello world");
//!
//! let mut stream = StreamDecoder::new(&tok);
//! let mut text = String::new();
//! for &id in &ids {
//!     text.push_str(&stream.push(id)?);
//! }
//! text.push_str(&stream.finish());
//! # Ok(())
//! # }
//! ```
//!
//! Decoding conventions: the BOS token never produces text; other special
//! (control) tokens produce their text unless `skip_special` is set. With a
//! SentencePiece vocabulary that adds a space prefix, the single leading
//! space of the first piece (or of a piece right after a control token such
//! as BOS) is removed, as llama.cpp and llama2.c print it.

mod bpe;
pub mod chat;
mod error;
mod gguf_vocab;
mod hf;
mod pretokenize;
mod spm;
mod stream;
mod tiktoken;
mod vocab;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use kaoshi_formats::{GgufFile, Value};

pub use error::TokenizerError;
pub use stream::StreamDecoder;

use bpe::{Bpe, Ranks};
use vocab::{TokenType, Vocab};

/// Which algorithm a [`Tokenizer`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenizerKind {
    /// SentencePiece-style BPE with scores and byte fallback (GGUF `llama`).
    SentencePiece,
    /// Byte-level BPE with merges and a regex pre-tokenizer (GGUF `gpt2`).
    Gpt2Bpe,
    /// tiktoken rank file.
    Tiktoken,
    /// Hugging Face `tokenizer.json`.
    HfJson,
}

impl fmt::Display for TokenizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SentencePiece => "sentencepiece",
            Self::Gpt2Bpe => "gpt2-bpe",
            Self::Tiktoken => "tiktoken",
            Self::HfJson => "hf-tokenizer-json",
        })
    }
}

#[derive(Debug)]
pub(crate) enum Model {
    Spm(spm::Spm),
    Bpe(Bpe),
    Hf(Box<hf::Hf>),
}

/// Everything a loader hands to [`Tokenizer::assemble`].
pub(crate) struct Parts {
    pub kind: TokenizerKind,
    pub pre: Option<String>,
    pub vocab: Vocab,
    pub pieces: Vec<Vec<u8>>,
    pub bos: Option<u32>,
    pub eos: Option<u32>,
    pub add_bos: bool,
    pub add_eos: bool,
    pub add_space_prefix: bool,
    pub strip_first_space: bool,
    pub stop: Vec<u32>,
    pub chat_template: Option<String>,
    pub model: Model,
}

/// A loaded tokenizer: encode, decode and vocabulary queries.
#[derive(Debug)]
pub struct Tokenizer {
    kind: TokenizerKind,
    pre: Option<String>,
    vocab: Vocab,
    /// Raw bytes each token stands for.
    pieces: Vec<Vec<u8>>,
    bos: Option<u32>,
    eos: Option<u32>,
    add_bos: bool,
    add_eos: bool,
    add_space_prefix: bool,
    strip_first_space: bool,
    stop: Vec<u32>,
    chat_template: Option<String>,
    /// Tokens split out of raw text, longest first.
    partition: Vec<u32>,
    model: Model,
}

enum Frag<'a> {
    Text(&'a str),
    Token(u32),
}

impl Tokenizer {
    pub(crate) fn assemble(p: Parts) -> Self {
        let mut stop = Vec::new();
        for id in p.stop {
            if !stop.contains(&id) {
                stop.push(id);
            }
        }
        let partition = p.vocab.partition_tokens();
        Self {
            kind: p.kind,
            pre: p.pre,
            vocab: p.vocab,
            pieces: p.pieces,
            bos: p.bos,
            eos: p.eos,
            add_bos: p.add_bos && p.bos.is_some(),
            add_eos: p.add_eos && p.eos.is_some(),
            add_space_prefix: p.add_space_prefix,
            strip_first_space: p.strip_first_space,
            stop,
            chat_template: p.chat_template,
            partition,
            model: p.model,
        }
    }

    /// Builds the tokenizer described by GGUF `tokenizer.ggml.*` metadata.
    pub fn from_gguf_metadata(md: &HashMap<String, Value>) -> Result<Self, TokenizerError> {
        gguf_vocab::from_metadata(md)
    }

    /// Reads only the GGUF header (metadata) of `path`, with the project's
    /// own checked reader (`kaoshi_formats::GgufFile`).
    pub fn from_gguf_file(path: &Path) -> Result<Self, TokenizerError> {
        let file =
            GgufFile::open(path).map_err(|e| TokenizerError::Gguf { path: path.into(), message: e.to_string() })?;
        Self::from_gguf_metadata(file.metadata().as_map())
    }

    /// Loads a Hugging Face `tokenizer.json` from memory.
    pub fn from_tokenizer_json_bytes(bytes: &[u8]) -> Result<Self, TokenizerError> {
        hf::from_bytes(bytes)
    }

    /// Loads a Hugging Face `tokenizer.json` file.
    pub fn from_tokenizer_json(path: &Path) -> Result<Self, TokenizerError> {
        let bytes = read(path)?;
        Self::from_tokenizer_json_bytes(&bytes)
    }

    /// Loads a tiktoken rank file; `pre` picks the family (`qwen2`,
    /// `deepseek-r1-qwen`, `llama3`, `llama-bpe`), which fixes the regex and
    /// the special tokens appended after the base ranks.
    pub fn from_tiktoken(path: &Path, pre: &str) -> Result<Self, TokenizerError> {
        let bytes = read(path)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| TokenizerError::Malformed { what: format!("{} is not UTF-8", path.display()) })?;
        Self::from_tiktoken_str(text, pre)
    }

    fn from_tiktoken_str(text: &str, pre: &str) -> Result<Self, TokenizerError> {
        let family = tiktoken::family(pre)?;
        let pretok = pretokenize::PreTokenizer::by_name(family.name)?;
        let ranks = tiktoken::parse_ranks(text)?;
        let bytes_to_id = tiktoken::rank_map(&ranks);
        let map = bpe::byte_to_char_table();
        let mut tokens: Vec<String> = ranks.iter().map(|b| b.iter().map(|&x| map[x as usize]).collect()).collect();
        let mut types = vec![TokenType::Normal; tokens.len()];
        let mut pieces = ranks;
        for (s, control) in &family.specials {
            tokens.push(s.clone());
            types.push(if *control { TokenType::Control } else { TokenType::UserDefined });
            pieces.push(s.clone().into_bytes());
        }
        let vocab = Vocab::new(tokens, types);
        let id = |s: &str| vocab.index.get(s).copied();
        let bos = family.bos.and_then(id);
        let eos = id(family.eos);
        let mut stop: Vec<u32> = eos.into_iter().collect();
        stop.extend(family.eot.iter().filter_map(|s| id(s)));
        let model = Model::Bpe(Bpe::new(pretok, bytes_to_id, Ranks::Tiktoken, true, None));
        Ok(Self::assemble(Parts {
            kind: TokenizerKind::Tiktoken,
            pre: Some(family.name.to_string()),
            vocab,
            pieces,
            bos,
            eos,
            add_bos: family.add_bos,
            add_eos: false,
            add_space_prefix: false,
            strip_first_space: false,
            stop,
            chat_template: None,
            model,
        }))
    }

    /// Loads any supported file, sniffing its format: GGUF magic, JSON, or a
    /// tiktoken rank file (which needs `pre`).
    pub fn from_path(path: &Path, pre: Option<&str>) -> Result<Self, TokenizerError> {
        let mut head = [0u8; 512];
        let n = {
            use std::io::Read;
            let mut f = std::fs::File::open(path).map_err(|source| TokenizerError::Io { path: path.into(), source })?;
            let mut n = 0;
            loop {
                match f.read(&mut head[n..]) {
                    Ok(0) => break,
                    Ok(k) => {
                        n += k;
                        if n == head.len() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(source) => return Err(TokenizerError::Io { path: path.into(), source }),
                }
            }
            n
        };
        let head = &head[..n];
        if head.starts_with(b"GGUF") {
            return Self::from_gguf_file(path);
        }
        if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            return Self::from_tokenizer_json(path);
        }
        if tiktoken::sniff(head) {
            return match pre {
                Some(pre) => Self::from_tiktoken(path, pre),
                None => Err(TokenizerError::PreTokenizerRequired { path: path.into() }),
            };
        }
        Err(TokenizerError::UnknownFormat { path: path.into() })
    }

    /// The algorithm in use.
    pub fn kind(&self) -> TokenizerKind {
        self.kind
    }

    /// The pre-tokenizer name (byte-level BPE and tiktoken), if any.
    pub fn pre_tokenizer(&self) -> Option<&str> {
        self.pre.as_deref()
    }

    /// Number of token ids (special tokens included).
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// Encodes `text`. `add_special` adds BOS/EOS as the tokenizer asks
    /// (for `tokenizer.json`: its post-processor); `parse_special` turns
    /// special-token text such as `<|im_start|>` into that token.
    pub fn encode(&self, text: &str, add_special: bool, parse_special: bool) -> Result<Vec<u32>, TokenizerError> {
        if let Model::Hf(hf) = &self.model {
            return hf.encode(text, add_special, parse_special);
        }
        let mut out = Vec::new();
        if add_special && self.add_bos {
            out.extend(self.bos);
        }
        // llama.cpp: a space prefix goes before text that starts the input
        // or follows a special token.
        let mut prev_special = true;
        for frag in self.partition(text, parse_special) {
            match frag {
                Frag::Token(id) => {
                    out.push(id);
                    prev_special = true;
                }
                Frag::Text(t) => {
                    match &self.model {
                        Model::Spm(spm) => {
                            let mut s = String::with_capacity(t.len() + 3);
                            if self.add_space_prefix && prev_special {
                                s.push(spm::SPACE_MARK);
                            }
                            for c in t.chars() {
                                s.push(if c == ' ' { spm::SPACE_MARK } else { c });
                            }
                            spm.encode(&self.vocab, &s, &mut out)?;
                        }
                        Model::Bpe(bpe) => bpe.encode(t, &mut out)?,
                        Model::Hf(_) => {}
                    }
                    prev_special = false;
                }
            }
        }
        if add_special && self.add_eos {
            out.extend(self.eos);
        }
        Ok(out)
    }

    /// Splits special tokens out of `text` (llama.cpp `tokenizer_st_partition`):
    /// user-defined tokens always, control/unknown ones only with `parse_special`.
    fn partition<'t>(&self, text: &'t str, parse_special: bool) -> Vec<Frag<'t>> {
        let mut frags = if text.is_empty() { vec![] } else { vec![Frag::Text(text)] };
        for &id in &self.partition {
            let ty = self.vocab.ty(id);
            if !parse_special && matches!(ty, Some(TokenType::Control | TokenType::Unknown)) {
                continue;
            }
            let Some(needle) = self.vocab.tokens.get(id as usize) else { continue };
            if !frags.iter().any(|f| matches!(f, Frag::Text(t) if t.contains(needle.as_str()))) {
                continue;
            }
            let mut next = Vec::with_capacity(frags.len() + 2);
            for f in frags {
                match f {
                    Frag::Text(t) => {
                        let mut rest = t;
                        while let Some(pos) = rest.find(needle.as_str()) {
                            if pos > 0 {
                                next.push(Frag::Text(&rest[..pos]));
                            }
                            next.push(Frag::Token(id));
                            rest = &rest[pos + needle.len()..];
                        }
                        if !rest.is_empty() {
                            next.push(Frag::Text(rest));
                        }
                    }
                    tok => next.push(tok),
                }
            }
            frags = next;
        }
        frags
    }

    /// Decodes ids to text (invalid UTF-8 becomes U+FFFD). BOS never
    /// produces text; `skip_special` also drops other special tokens.
    pub fn decode(&self, ids: &[u32], skip_special: bool) -> Result<String, TokenizerError> {
        if let Model::Hf(hf) = &self.model {
            if let Some(&id) = ids.iter().find(|&&id| id as usize >= self.vocab.len()) {
                return Err(TokenizerError::UnknownTokenId { id });
            }
            let ids: Vec<u32> = ids.iter().copied().filter(|&id| Some(id) != self.bos).collect();
            return hf.decode(&ids, skip_special);
        }
        let mut bytes = Vec::new();
        let mut prev = None;
        for &id in ids {
            self.append_piece(&mut bytes, prev, id, skip_special)?;
            prev = Some(id);
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Appends the bytes `id` contributes after `prev` (None: stream start).
    pub(crate) fn append_piece(
        &self,
        out: &mut Vec<u8>,
        prev: Option<u32>,
        id: u32,
        skip_special: bool,
    ) -> Result<(), TokenizerError> {
        let (Some(ty), Some(piece)) = (self.vocab.ty(id), self.pieces.get(id as usize)) else {
            return Err(TokenizerError::UnknownTokenId { id });
        };
        let special = matches!(ty, TokenType::Control | TokenType::Unknown);
        if special && (Some(id) == self.bos || skip_special) {
            return Ok(());
        }
        let at_start = match prev {
            None => true,
            Some(p) => self.vocab.ty(p) == Some(TokenType::Control),
        };
        if self.strip_first_space && at_start && ty == TokenType::Normal && piece.first() == Some(&b' ') {
            out.extend_from_slice(&piece[1..]);
        } else {
            out.extend_from_slice(piece);
        }
        Ok(())
    }

    /// Raw bytes of one token (SPM: `▁` -> space, `<0xNN>` -> the byte;
    /// byte-level BPE: unmapped bytes; special tokens: their text).
    pub fn token_bytes(&self, id: u32) -> Result<Vec<u8>, TokenizerError> {
        self.pieces.get(id as usize).cloned().ok_or(TokenizerError::UnknownTokenId { id })
    }

    /// The vocabulary string as stored.
    pub fn token_text(&self, id: u32) -> Option<&str> {
        self.vocab.tokens.get(id as usize).map(String::as_str)
    }

    /// The id of a vocabulary string.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.vocab.index.get(text).copied()
    }

    /// The beginning-of-sequence token.
    pub fn bos_id(&self) -> Option<u32> {
        self.bos
    }

    /// The end-of-sequence token.
    pub fn eos_id(&self) -> Option<u32> {
        self.eos
    }

    /// Whether `encode(.., add_special = true, ..)` prepends BOS.
    pub fn add_bos(&self) -> bool {
        self.add_bos
    }

    /// Tokens that end generation: EOS, end-of-turn and end-of-message
    /// tokens, deduplicated, EOS first.
    pub fn stop_ids(&self) -> Vec<u32> {
        self.stop.clone()
    }

    /// Whether `id` is a special (control or unknown) token.
    pub fn is_special(&self, id: u32) -> bool {
        matches!(self.vocab.ty(id), Some(TokenType::Control | TokenType::Unknown))
    }

    /// Whether `id` is a byte-fallback token (SentencePiece's `<0xNN>`,
    /// by type or by its text).
    pub fn is_byte_token(&self, id: u32) -> bool {
        if self.vocab.ty(id) == Some(TokenType::Byte) {
            return true;
        }
        self.token_text(id).is_some_and(|t| {
            let b = t.as_bytes();
            b.len() == 6 && t.starts_with("<0x") && t.ends_with('>') && b[3..5].iter().all(u8::is_ascii_hexdigit)
        })
    }

    /// Whether `id` is the unknown token.
    pub fn is_unknown(&self, id: u32) -> bool {
        self.vocab.ty(id) == Some(TokenType::Unknown)
    }

    /// The chat template stored in the file (GGUF `tokenizer.chat_template`).
    pub fn chat_template(&self) -> Option<&str> {
        self.chat_template.as_deref()
    }

    /// A printable form of one token: its text for special and byte tokens,
    /// otherwise its bytes as (lossy) UTF-8.
    pub fn token_str(&self, id: u32) -> Option<String> {
        let ty = self.vocab.ty(id)?;
        match ty {
            TokenType::Normal | TokenType::UserDefined => {
                self.pieces.get(id as usize).map(|p| String::from_utf8_lossy(p).into_owned())
            }
            _ => self.token_text(id).map(str::to_string),
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TokenizerError> {
    std::fs::read(path).map_err(|source| TokenizerError::Io { path: path.into(), source })
}
