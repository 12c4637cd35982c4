//! Several short sequences as rows of one forward pass ([`Pack`]): each
//! sequence starts at position 0 and sees only its own earlier tokens
//! (per-row key spans), so every row computes what it would alone, with
//! one pass for many sentences. [`pooled`] reads one vector per sequence
//! and hook point that way (xling, RSA, concept vectors).

use std::str::FromStr;

use kaoshi_model::{
    Backend, Capture, CaptureRequest, Forward, HookPoint, HookSet, KeySpan, KvCache, Model, ModelError, RowSet,
};
use serde::Serialize;

use crate::error::ProbeError;

/// How a sequence's token representations become one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    /// The last token's.
    Last,
    /// The mean over the sequence's own tokens (those after the skipped ones).
    Mean,
}

impl FromStr for Pool {
    type Err = ProbeError;

    fn from_str(s: &str) -> Result<Self, ProbeError> {
        match s {
            "last" => Ok(Self::Last),
            "mean" => Ok(Self::Mean),
            other => Err(ProbeError::Options(format!("pool {other:?}: expected last or mean"))),
        }
    }
}

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

/// `[sequence][point][dim]`: each sequence's rows after its first `skip`
/// (BOS, a prefix), pooled by `pool`, at each of `points`; the sequences
/// run packed, at most `max_rows` rows a pass.
pub fn pooled<B: Backend>(
    model: &Model<B>,
    seqs: &[Vec<u32>],
    skip: usize,
    points: &[HookPoint],
    pool: Pool,
    max_rows: usize,
) -> Result<Vec<Vec<Vec<f64>>>, ProbeError> {
    let dim = model.config().dim;
    let mut sums = vec![vec![vec![0f64; dim]; points.len()]; seqs.len()];
    let mut counts = vec![0usize; seqs.len()];
    for p in pack(seqs, max_rows) {
        let rows = match pool {
            Pool::Last => p.last_rows(),
            Pool::Mean => p.all_rows(skip),
        };
        let hooks = HookSet {
            captures: points.iter().map(|&point| CaptureRequest { point, rows: rows.clone() }).collect(),
            ..Default::default()
        };
        let out = p.run(model, Some(&hooks), None)?;
        let captured: Vec<Capture> = out.captures.download(model.backend())?;
        for c in &captured {
            let k = p.seqs.partition_point(|&(start, _, _)| start <= c.row) - 1;
            let seq = p.seqs[k].2;
            let layer = points.iter().position(|&q| q == c.point).expect("a requested point");
            for (s, v) in sums[seq][layer].iter_mut().zip(&c.values) {
                *s += f64::from(*v);
            }
            counts[seq] += usize::from(layer == 0);
        }
    }
    for (s, &n) in sums.iter_mut().zip(&counts) {
        s.iter_mut().flatten().for_each(|x| *x /= n.max(1) as f64);
    }
    Ok(sums)
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
