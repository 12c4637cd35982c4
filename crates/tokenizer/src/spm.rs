//! SentencePiece-style BPE with scores and byte fallback, following
//! llama.cpp's `llm_tokenizer_spm_session` (src/llama-vocab.cpp): split the
//! escaped text into UTF-8 chars, repeatedly join the adjacent pair whose
//! joined text is a token with the highest score (leftmost on ties), then
//! emit each remaining symbol as its token or as `<0xNN>` byte tokens.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::error::TokenizerError;
use crate::vocab::Vocab;

/// U+2581, the SentencePiece space marker.
pub(crate) const SPACE_MARK: char = '\u{2581}';

#[derive(Debug, Clone)]
pub(crate) struct Spm {
    pub scores: Vec<f32>,
    pub byte_ids: [Option<u32>; 256],
    pub unk: Option<u32>,
}

struct Bigram {
    score: f32,
    left: usize,
    right: usize,
    size: usize,
}

impl PartialEq for Bigram {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Bigram {}
impl PartialOrd for Bigram {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Bigram {
    /// Max-heap order: higher score first, then the leftmost pair.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.partial_cmp(&other.score).unwrap_or(Ordering::Equal).then(other.left.cmp(&self.left))
    }
}

#[derive(Clone, Copy)]
struct Sym {
    start: usize,
    len: usize,
    prev: Option<usize>,
    next: Option<usize>,
}

impl Spm {
    pub(crate) fn new(vocab: &Vocab, scores: Vec<f32>, unk: Option<u32>) -> Self {
        let mut byte_ids = [None; 256];
        for (b, slot) in byte_ids.iter_mut().enumerate() {
            // llama.cpp `byte_to_token`: "<0xNN>", else the byte as a string.
            let hex = format!("<0x{b:02X}>");
            *slot = vocab.index.get(&hex).copied().or_else(|| {
                let s = char::from_u32(b as u32).filter(|_| b < 0x80).map(String::from);
                s.and_then(|s| vocab.index.get(&s).copied())
            });
        }
        Self { scores, byte_ids, unk }
    }

    /// Tokenizes already-escaped text (spaces replaced by U+2581).
    pub(crate) fn encode(&self, vocab: &Vocab, text: &str, out: &mut Vec<u32>) -> Result<(), TokenizerError> {
        let mut syms: Vec<Sym> = Vec::with_capacity(text.len());
        for (i, (start, c)) in text.char_indices().enumerate() {
            syms.push(Sym { start, len: c.len_utf8(), prev: i.checked_sub(1), next: Some(i + 1) });
        }
        if let Some(last) = syms.last_mut() {
            last.next = None;
        }
        let mut queue = BinaryHeap::new();
        let try_add = |syms: &[Sym], queue: &mut BinaryHeap<Bigram>, left: Option<usize>, right: Option<usize>| {
            let (Some(l), Some(r)) = (left, right) else { return };
            let (a, b) = (syms[l], syms[r]);
            let piece = &text[a.start..b.start + b.len];
            if let Some(&id) = vocab.index.get(piece) {
                let score = self.scores.get(id as usize).copied().unwrap_or(0.0);
                queue.push(Bigram { score, left: l, right: r, size: piece.len() });
            }
        };
        for i in 1..syms.len() {
            try_add(&syms, &mut queue, Some(i - 1), Some(i));
        }
        while let Some(bg) = queue.pop() {
            let (l, r) = (syms[bg.left], syms[bg.right]);
            if l.len == 0 || r.len == 0 || l.len + r.len != bg.size {
                continue;
            }
            syms[bg.left].len += r.len;
            syms[bg.right].len = 0;
            syms[bg.left].next = r.next;
            if let Some(n) = r.next {
                syms[n].prev = Some(bg.left);
            }
            try_add(&syms, &mut queue, syms[bg.left].prev, Some(bg.left));
            try_add(&syms, &mut queue, Some(bg.left), syms[bg.left].next);
        }
        let mut cur = if syms.is_empty() { None } else { Some(0) };
        while let Some(i) = cur {
            let s = syms[i];
            let piece = &text[s.start..s.start + s.len];
            if let Some(&id) = vocab.index.get(piece) {
                out.push(id);
            } else {
                for &b in piece.as_bytes() {
                    match self.byte_ids[b as usize].or(self.unk) {
                        Some(id) => out.push(id),
                        None => return Err(TokenizerError::Unencodable { byte: b }),
                    }
                }
            }
            cur = s.next;
        }
        Ok(())
    }
}

/// Raw bytes of one SPM token piece: U+2581 -> space, `<0xNN>` byte tokens
/// -> that byte (llama.cpp `token_to_piece`).
pub(crate) fn piece_bytes(text: &str, is_byte: bool) -> Vec<u8> {
    if is_byte {
        if let Some(b) = parse_byte_token(text) {
            return vec![b];
        }
    }
    text.replace(SPACE_MARK, " ").into_bytes()
}

/// Parses `<0xNN>`.
pub(crate) fn parse_byte_token(text: &str) -> Option<u8> {
    let hex = text.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2 {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}
