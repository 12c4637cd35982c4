//! Logits of many rows in blocks a backend can hold: `[rows, vocab]` for a
//! 512-token perplexity window and a 152k-entry vocabulary is 311 MB, more
//! than a GPU binding may hold (128 MiB on lavapipe and by WebGPU's
//! default). [`crate::Model::run`] computes the hidden states
//! once and the logits block by block ([`Backend::max_batch_rows`] of the vocabulary);
//! [`PickBlocks`] sends each scored `(row, token)` to its block and puts
//! the results back in order.

use crate::backend::{Backend, TokenScore};
use crate::error::BackendError;

/// The logits of the requested rows, in order, `rows_per_block` rows per
/// block (the last one may have fewer).
pub struct LogitBlocks<T> {
    /// Rows of each block but the last.
    pub rows_per_block: usize,
    /// The blocks' logits, `[rows, vocab]` each.
    pub blocks: Vec<T>,
}

impl<T> LogitBlocks<T> {
    /// `picks` (rows of the whole) split by block.
    pub fn split(&self, picks: &[(usize, u32)]) -> PickBlocks {
        PickBlocks::new(picks, self.rows_per_block, self.blocks.len())
    }

    /// [`Backend::token_scores`] over all blocks, in the order of `picks`
    /// (rows of the whole); nothing when no logits were computed.
    pub fn token_scores<B: Backend<Tensor = T>>(
        &self,
        backend: &B,
        picks: &[(usize, u32)],
    ) -> Result<Vec<TokenScore>, BackendError> {
        if self.blocks.is_empty() {
            return Ok(Vec::new());
        }
        let split = self.split(picks);
        let mut results = Vec::with_capacity(self.blocks.len());
        for (i, block) in self.blocks.iter().enumerate() {
            let local = split.block(i);
            results.push(if local.is_empty() { Vec::new() } else { backend.token_scores(block, local)? });
        }
        split.merge(results)
    }
}

/// Picks `(row, token)` split by the block their row falls in, with rows
/// local to the block. A row past the last block goes to the last block
/// (as a row past its end), so that the backend reports it.
pub struct PickBlocks {
    per_block: Vec<Vec<(usize, u32)>>,
    /// For each pick in the caller's order: (block, index in the block).
    at: Vec<(usize, usize)>,
}

impl PickBlocks {
    fn new(picks: &[(usize, u32)], rows_per_block: usize, n_blocks: usize) -> Self {
        let per = rows_per_block.max(1);
        let mut per_block: Vec<Vec<(usize, u32)>> = vec![Vec::new(); n_blocks.max(1)];
        let last = per_block.len() - 1;
        let at = picks
            .iter()
            .map(|&(row, token)| {
                let b = (row / per).min(last);
                per_block[b].push((row - b * per, token));
                (b, per_block[b].len() - 1)
            })
            .collect();
        Self { per_block, at }
    }

    /// The picks of block `i`, rows local to it.
    pub fn block(&self, i: usize) -> &[(usize, u32)] {
        self.per_block.get(i).map_or(&[], Vec::as_slice)
    }

    /// Each block's results (one per pick of [`PickBlocks::block`]) back in
    /// the caller's order of picks.
    pub fn merge<R: Clone>(&self, results: Vec<Vec<R>>) -> Result<Vec<R>, BackendError> {
        self.at
            .iter()
            .map(|&(b, i)| {
                results
                    .get(b)
                    .and_then(|r| r.get(i))
                    .cloned()
                    .ok_or_else(|| BackendError::other("logit blocks", format!("no result for pick {i} of block {b}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_go_to_their_block_and_come_back_in_order() {
        let picks = [(7, 70), (0, 0), (3, 30), (4, 40), (9, 90), (12, 120)];
        let split = PickBlocks::new(&picks, 4, 3);
        assert_eq!(split.block(0), &[(0, 0), (3, 30)]);
        assert_eq!(split.block(1), &[(3, 70), (0, 40)]);
        // Row 9 is in the last block; row 12 is past it and stays there
        // (row 4 of a block of at most 4), for the backend to refuse.
        assert_eq!(split.block(2), &[(1, 90), (4, 120)]);
        let results: Vec<Vec<u32>> = (0..3).map(|b| split.block(b).iter().map(|p| p.1).collect()).collect();
        assert_eq!(split.merge(results).unwrap(), vec![70, 0, 30, 40, 90, 120]);
        assert!(split.merge(vec![vec![0u32; 2]]).is_err(), "missing results are an error");
    }
}
