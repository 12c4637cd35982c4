//! Several short sequences as rows of one forward pass ([`Pack`]): each
//! sequence starts at position 0 and sees only its own earlier tokens
//! (per-row key spans), so every row computes what it would alone, with
//! one pass for many sentences.

use kaoshi_model::{Backend, Forward, HookSet, KeySpan, KvCache, Model, ModelError, RowSet};

/// Sequences packed into one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Pack {
    /// All tokens, sequence after sequence.
    pub tokens: Vec<u32>,
    /// Each row's position in its sequence.
    pub positions: Vec<usize>,
    /// Each row's keys: its own sequence up to itself.
    pub spans: Vec<KeySpan>,
    /// `(first row, length)` of each sequence, and its index in the input.
    pub seqs: Vec<(usize, usize, usize)>,
}

impl Pack {
    /// The rows of sequence `k` of the pack, less its first `skip` rows.
    pub fn rows(&self, k: usize, skip: usize) -> std::ops::Range<usize> {
        let (start, len, _) = self.seqs[k];
        start + skip.min(len)..start + len
    }

    /// Every row but the first `skip` of each sequence.
    pub fn all_rows(&self, skip: usize) -> RowSet {
        RowSet::Batch((0..self.seqs.len()).flat_map(|k| self.rows(k, skip)).collect())
    }

    /// The last row of each sequence.
    pub fn last_rows(&self) -> RowSet {
        RowSet::Batch(self.seqs.iter().map(|&(start, len, _)| start + len - 1).collect())
    }

    /// Runs the pack from an empty cache with `hooks`, the logits of `logit_rows`.
    pub fn run<B: Backend>(
        &self,
        model: &Model<B>,
        hooks: Option<&HookSet>,
        logit_rows: Option<&[usize]>,
    ) -> Result<kaoshi_model::ForwardOutput<B::Tensor>, ModelError> {
        let req = Forward::spans(&self.tokens, &self.positions, &self.spans).hooks(hooks);
        let req = match logit_rows {
            Some(rows) => req.logit_rows(rows),
            None => req.no_logits(),
        };
        let mut cache: KvCache<B> = model.new_cache();
        model.run(req, &mut cache)
    }
}

/// Packs `seqs` in order into batches of at most `max_rows` rows (a longer
/// sequence is a batch of its own).
pub fn pack(seqs: &[Vec<u32>], max_rows: usize) -> Vec<Pack> {
    let mut out = Vec::new();
    let mut cur = Pack { tokens: vec![], positions: vec![], spans: vec![], seqs: vec![] };
    for (i, s) in seqs.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
        if !cur.tokens.is_empty() && cur.tokens.len() + s.len() > max_rows {
            out.push(std::mem::replace(
                &mut cur,
                Pack { tokens: vec![], positions: vec![], spans: vec![], seqs: vec![] },
            ));
        }
        let start = cur.tokens.len();
        cur.seqs.push((start, s.len(), i));
        for (j, &t) in s.iter().enumerate() {
            cur.tokens.push(t);
            cur.positions.push(j);
            cur.spans.push(KeySpan { shared: 0, own_start: start, own_end: start + j + 1 });
        }
    }
    if !cur.tokens.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_see_only_themselves() {
        let packs = pack(&[vec![1, 2, 3], vec![], vec![4, 5], vec![6, 7, 8, 9]], 6);
        assert_eq!(packs.len(), 2);
        let p = &packs[0];
        assert_eq!(p.tokens, vec![1, 2, 3, 4, 5]);
        assert_eq!(p.positions, vec![0, 1, 2, 0, 1]);
        assert_eq!(p.seqs, vec![(0, 3, 0), (3, 2, 2)]);
        assert!(p.spans[4].allows(3) && p.spans[4].allows(4) && !p.spans[4].allows(2));
        assert_eq!(p.rows(1, 1), 4..5);
        assert_eq!(p.last_rows(), RowSet::Batch(vec![2, 4]));
        assert_eq!(packs[1].seqs, vec![(0, 4, 3)]);
    }
}
