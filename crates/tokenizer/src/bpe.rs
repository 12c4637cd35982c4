//! Byte-level BPE shared by GGUF `gpt2` vocabularies and tiktoken files.
//!
//! Both work on the raw UTF-8 bytes of one pre-tokenized piece and merge the
//! adjacent pair with the lowest rank (leftmost on ties) until no pair has a
//! rank. They differ only in what "rank" means:
//! * GGUF `gpt2`: the index of `left right` in `tokenizer.ggml.merges`
//!   (llama.cpp `llm_tokenizer_bpe_session`);
//! * tiktoken: the rank (= id) of the concatenated bytes (tiktoken
//!   `byte_pair_merge`).

use std::collections::HashMap;

use crate::error::TokenizerError;
use crate::pretokenize::PreTokenizer;

/// How pair ranks are found.
#[derive(Debug, Clone)]
pub(crate) enum Ranks {
    /// (left id, right id) -> merge index.
    Merges(HashMap<(u32, u32), u32>),
    /// The id of the concatenation is its rank.
    Tiktoken,
}

#[derive(Debug, Clone)]
pub(crate) struct Bpe {
    pub pre: PreTokenizer,
    /// Raw bytes of every mergeable token -> id.
    pub bytes_to_id: HashMap<Vec<u8>, u32>,
    pub ranks: Ranks,
    /// Emit a whole piece directly when it is itself a token (llama.cpp
    /// `ignore_merges` for Llama 3; always on for tiktoken).
    pub ignore_merges: bool,
    pub byte_ids: [Option<u32>; 256],
    pub unk: Option<u32>,
}

impl Bpe {
    pub(crate) fn new(
        pre: PreTokenizer,
        bytes_to_id: HashMap<Vec<u8>, u32>,
        ranks: Ranks,
        ignore_merges: bool,
        unk: Option<u32>,
    ) -> Self {
        let mut byte_ids = [None; 256];
        for (b, slot) in byte_ids.iter_mut().enumerate() {
            *slot = bytes_to_id.get(&[b as u8][..]).copied();
        }
        Self { pre, bytes_to_id, ranks, ignore_merges, byte_ids, unk }
    }

    fn rank(&self, piece: &[u8], start: usize, mid: usize, end: usize) -> Option<u32> {
        match &self.ranks {
            Ranks::Tiktoken => self.bytes_to_id.get(&piece[start..end]).copied(),
            Ranks::Merges(m) => {
                let a = self.bytes_to_id.get(&piece[start..mid])?;
                let b = self.bytes_to_id.get(&piece[mid..end])?;
                m.get(&(*a, *b)).copied()
            }
        }
    }

    /// Encodes plain text (no special tokens) and appends the ids.
    pub(crate) fn encode(&self, text: &str, out: &mut Vec<u32>) -> Result<(), TokenizerError> {
        for piece in self.pre.split(text) {
            self.encode_piece(piece.as_bytes(), out)?;
        }
        Ok(())
    }

    fn encode_piece(&self, piece: &[u8], out: &mut Vec<u32>) -> Result<(), TokenizerError> {
        if piece.is_empty() {
            return Ok(());
        }
        if self.ignore_merges {
            if let Some(&id) = self.bytes_to_id.get(piece) {
                out.push(id);
                return Ok(());
            }
        }
        let bounds = merge(piece, |s, m, e| self.rank(piece, s, m, e));
        for w in bounds.windows(2) {
            let part = &piece[w[0]..w[1]];
            if let Some(&id) = self.bytes_to_id.get(part) {
                out.push(id);
                continue;
            }
            for &b in part {
                match self.byte_ids[b as usize].or(self.unk) {
                    Some(id) => out.push(id),
                    None => return Err(TokenizerError::Unencodable { byte: b }),
                }
            }
        }
        Ok(())
    }
}

/// Ranked pair merge over single bytes. `rank(start, mid, end)` gives the
/// rank of joining `piece[start..mid]` and `piece[mid..end]`. Returns the part
/// boundaries, starting with 0 and ending with `piece.len()`.
pub(crate) fn merge(piece: &[u8], rank: impl Fn(usize, usize, usize) -> Option<u32>) -> Vec<usize> {
    let n = piece.len();
    if n < 2 {
        return vec![0, n];
    }
    // parts[i] = (start of part i, rank of merging part i with part i + 1).
    let mut parts: Vec<(usize, u32)> = (0..=n).map(|i| (i, u32::MAX)).collect();
    let pair_rank = |parts: &[(usize, u32)], j: usize| -> u32 {
        if j + 2 < parts.len() {
            rank(parts[j].0, parts[j + 1].0, parts[j + 2].0).unwrap_or(u32::MAX)
        } else {
            u32::MAX
        }
    };
    for j in 0..n - 1 {
        parts[j].1 = pair_rank(&parts, j);
    }
    loop {
        let mut best = (u32::MAX, 0usize);
        for (j, &(_, r)) in parts[..parts.len() - 1].iter().enumerate() {
            if r < best.0 {
                best = (r, j);
            }
        }
        if best.0 == u32::MAX {
            break;
        }
        let i = best.1;
        parts.remove(i + 1);
        parts[i].1 = pair_rank(&parts, i);
        if i > 0 {
            parts[i - 1].1 = pair_rank(&parts, i - 1);
        }
    }
    parts.into_iter().map(|p| p.0).collect()
}

/// GPT-2's `bytes_to_unicode` table: byte -> printable char.
pub(crate) fn byte_to_char_table() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for b in 0u32..256 {
        let printable = (0x21..=0x7E).contains(&b) || (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b);
        let c = if printable {
            b
        } else {
            extra += 1;
            255 + extra
        };
        table[b as usize] = char::from_u32(c).unwrap_or('\u{FFFD}');
    }
    table
}

/// Reverse of [`byte_to_char_table`].
pub(crate) fn char_to_byte_map() -> HashMap<char, u8> {
    byte_to_char_table().iter().enumerate().map(|(b, &c)| (c, b as u8)).collect()
}

/// Raw bytes of a byte-level token string, or `None` if it has a char that
/// is not in the GPT-2 table.
pub(crate) fn unmap_bytes(text: &str, map: &HashMap<char, u8>) -> Option<Vec<u8>> {
    text.chars().map(|c| map.get(&c).copied()).collect()
}
