//! [`Model::run`], the one entry point of a forward pass: a [`Forward`]
//! request in, logits and captures (still on the backend) out; long
//! batches run in slices.

use crate::backend::{Backend, KeySpan};
use crate::block::{Hooks, Slice};
use crate::error::ModelError;
use crate::kv::KvCache;
use crate::logit_blocks::LogitBlocks;
use crate::model::Model;
use crate::normed::NormedInput;
use crate::request::{Captures, Forward, ForwardOutput};

/// The last block's output (all rows of the batch, or the kept rows of a
/// chunked one), which of its rows are the logit rows in request order,
/// and whether the final norm was applied already (a `ln_final` hook).
struct Hidden<T> {
    x: T,
    rows: Vec<usize>,
    normed: bool,
}

impl<B: Backend> Model<B> {
    /// Runs one forward pass: appends the request's tokens to `cache` and
    /// returns the logits and captures it asks for, in the backend's memory.
    /// The model's steering ([`Model::set_steering`]) applies first, then
    /// the request's interventions.
    ///
    /// A batch with more rows than the backend holds in one activation
    /// ([`Backend::max_batch_rows`] of the widest one: the MLP's, say
    /// `[rows, 18944]` for the 7B shape) runs as consecutive slices through
    /// the cache, each row seeing the same keys as in one pass, when every
    /// row's span ends within its slice (causal prompts and scoring do);
    /// hooks see each slice in turn. The logits come in blocks of
    /// [`Backend::max_batch_rows`] of the vocabulary, computed after the pass.
    pub fn run(&self, req: Forward<'_>, cache: &mut KvCache<B>) -> Result<ForwardOutput<B::Tensor>, ModelError> {
        let (positions, spans) = req.layout(cache.len());
        let logit_rows = req.logit_row_list();
        self.check_batch(req.tokens, &positions, &spans, cache, &logit_rows)?;
        let merged;
        let set = match (req.hooks, self.steering.as_ref().map(|(_, h)| h)) {
            (Some(asked), Some(standing)) => {
                let mut all = asked.clone();
                all.interventions.splice(0..0, standing.interventions.iter().cloned());
                merged = all;
                Some(&merged)
            }
            (asked, standing) => asked.or(standing),
        };
        if let Some(h) = set {
            h.check(&self.config)?;
        }
        let mut hooks = Hooks { set: set.filter(|h| !h.is_empty()), captured: Vec::new() };
        let hidden = self.forward_hidden(req.tokens, &positions, &spans, &logit_rows, cache, &mut hooks)?;
        let rows_per_block = self.backend.max_batch_rows(self.config.vocab_size).max(1);
        let mut blocks = Vec::new();
        if let Some(h) = hidden {
            for rows in h.rows.chunks(rows_per_block) {
                blocks.push(self.logits_of(&h.x, rows, h.normed)?);
            }
        }
        Ok(ForwardOutput { logits: LogitBlocks { rows_per_block, blocks }, captures: Captures(hooks.captured) })
    }

    /// The pass up to the last block's output; `None` when no logits are
    /// wanted. Runs in slices when the batch is too long for one activation
    /// and the key spans allow it, keeping only the logit rows.
    fn forward_hidden(
        &self,
        tokens: &[u32],
        positions: &[usize],
        spans: &[KeySpan],
        logit_rows: &[usize],
        cache: &mut KvCache<B>,
        hooks: &mut Hooks<'_, B::Tensor>,
    ) -> Result<Option<Hidden<B::Tensor>>, ModelError> {
        let c = &self.config;
        let widest = c.dim.max(c.n_heads * c.head_dim).max(c.n_kv_heads * c.head_dim).max(c.ffn_dim);
        let per = self.backend.max_batch_rows(widest).max(1);
        let (n, start) = (tokens.len(), cache.len());
        let fits_slices = spans.iter().enumerate().all(|(i, s)| s.shared.max(s.own_end) <= start + (i / per + 1) * per);
        let slice =
            |first: usize, end: usize| Slice { positions: &positions[first..end], first_row: first, keys: start + n };
        if n <= per || !fits_slices {
            let (x, normed) = self.run_blocks(tokens, spans, &slice(0, n), cache, hooks)?;
            return Ok((!logit_rows.is_empty()).then(|| Hidden { x, rows: logit_rows.to_vec(), normed }));
        }
        // Only the rows logits are wanted of are kept, slice after slice;
        // `order[i]` is the kept row that is logit_rows[i].
        let b = &self.backend;
        let mut kept: Option<B::Tensor> = None;
        let mut order = vec![0usize; logit_rows.len()];
        let (mut n_kept, mut normed) = (0, false);
        for first in (0..n).step_by(per) {
            let r = first..(first + per).min(n);
            let (x, slice_normed) =
                self.run_blocks(&tokens[r.clone()], &spans[r.clone()], &slice(first, r.end), cache, hooks)?;
            normed = slice_normed;
            let mut local = Vec::new();
            for (i, &row) in logit_rows.iter().enumerate() {
                if r.contains(&row) {
                    order[i] = n_kept + local.len();
                    local.push(row - first);
                }
            }
            if local.is_empty() {
                continue;
            }
            n_kept += local.len();
            let rows = b.select_rows(&x, &local)?;
            kept = Some(match kept {
                None => rows,
                Some(prev) => b.concat_rows(&prev, &rows)?,
            });
        }
        Ok(kept.map(|x| Hidden { x, rows: order, normed }))
    }

    /// The logits `[rows.len(), vocab]` of the given rows of the last
    /// block's output `x` (already through the final norm when `normed`).
    fn logits_of(&self, x: &B::Tensor, rows: &[usize], normed: bool) -> Result<B::Tensor, ModelError> {
        let b = &self.backend;
        let x = b.select_rows(x, rows)?;
        let out = self.weights.output.as_ref().unwrap_or(&self.weights.embed);
        if normed {
            return Ok(b.linear(&x, out)?);
        }
        Ok(NormedInput::new(b, &x, self.norm(&self.weights.output_norm))?.linear(b, out, None, None)?)
    }

    fn check_batch(
        &self,
        tokens: &[u32],
        positions: &[usize],
        spans: &[KeySpan],
        cache: &KvCache<B>,
        logit_rows: &[usize],
    ) -> Result<(), ModelError> {
        if tokens.is_empty() {
            return Err(ModelError::BadRequest("the batch has no tokens".into()));
        }
        let vocab = self.config.vocab_size;
        if let Some(&id) = tokens.iter().find(|&&t| t as usize >= vocab) {
            return Err(ModelError::TokenOutOfRange { id, vocab });
        }
        if positions.len() != tokens.len() || spans.len() != tokens.len() {
            return Err(ModelError::BadRequest(format!(
                "batch of {} tokens has {} positions and {} key spans",
                tokens.len(),
                positions.len(),
                spans.len()
            )));
        }
        let max_pos = positions.iter().copied().max().unwrap_or(0);
        if max_pos >= self.config.context_length {
            return Err(ModelError::ContextOverflow { len: max_pos + 1, max: self.config.context_length });
        }
        let total = cache.len() + tokens.len();
        if spans.iter().any(|s| s.shared > total || s.own_end > total || s.own_start > s.own_end) {
            return Err(ModelError::BadRequest(format!("a key span reaches past the {total} cached tokens")));
        }
        if let Some(&r) = logit_rows.iter().find(|&&r| r >= tokens.len()) {
            return Err(ModelError::BadRequest(format!("logit row {r} is outside the batch of {}", tokens.len())));
        }
        Ok(())
    }
}
