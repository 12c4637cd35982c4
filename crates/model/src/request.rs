//! One forward pass as a request ([`Forward`]) and what it gives back
//! ([`ForwardOutput`]): every caller (scoring, generation, perplexity, the
//! harness, the browser's runner, the probes) builds a `Forward` and hands
//! it to [`crate::Model::run`].
//!
//! ```no_run
//! # fn demo<B: kaoshi_model::Backend>(model: &kaoshi_model::Model<B>) -> Result<(), kaoshi_model::ModelError> {
//! use kaoshi_model::Forward;
//! let mut cache = model.new_cache();
//! // The prompt, keeping the logits of its last row on the backend.
//! let out = model.run(Forward::causal(&[1, 450, 4996]), &mut cache)?;
//! let next = model.backend().argmax_rows(&out.logits.into_single().expect("one row"))?;
//! # Ok(()) }
//! ```

use std::borrow::Cow;

use crate::backend::{Backend, HostTensor, KeySpan};
use crate::error::BackendError;
use crate::hooks::{Capture, HookPoint, HookSet};
use crate::logit_blocks::LogitBlocks;

/// Which keys each row attends to, and at which positions rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attention<'a> {
    /// Row `i` at position `cache.len() + i`, seeing every key up to its own.
    Causal,
    /// Row `i` at `positions[i]`, seeing the keys `spans[i]` allows (batched
    /// continuations after a shared prompt, several copies of one prompt).
    Spans {
        /// Sequence position of each row.
        positions: &'a [usize],
        /// Keys each row may see.
        spans: &'a [KeySpan],
    },
}

/// Which rows' logits a pass computes. They stay in the backend's memory
/// ([`ForwardOutput::logits`]); a caller reduces them there or reads them
/// back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogitRows<'a> {
    /// No logits (a pass that fills the cache or only captures).
    None,
    /// The last row's (the next token after the batch).
    Last,
    /// These rows', in this order (indices into the batch).
    Rows(&'a [usize]),
}

/// One forward pass: `tokens` appended to a key/value cache, with the
/// attention, hooks and logits asked for. Built with [`Forward::causal`] or
/// [`Forward::spans`] and refined with the other methods.
#[derive(Debug, Clone, Copy)]
pub struct Forward<'a> {
    /// The batch's token ids, one row each.
    pub tokens: &'a [u32],
    /// Positions and visible keys.
    pub attention: Attention<'a>,
    /// Captures and interventions.
    pub hooks: Option<&'a HookSet>,
    /// Which logits to compute.
    pub logits: LogitRows<'a>,
}

impl<'a> Forward<'a> {
    /// `tokens` after the cache with causal attention, the last row's logits.
    pub fn causal(tokens: &'a [u32]) -> Self {
        Self { tokens, attention: Attention::Causal, hooks: None, logits: LogitRows::Last }
    }

    /// `tokens` at `positions`, row `i` seeing the keys `spans[i]` allows,
    /// the last row's logits.
    pub fn spans(tokens: &'a [u32], positions: &'a [usize], spans: &'a [KeySpan]) -> Self {
        Self { tokens, attention: Attention::Spans { positions, spans }, hooks: None, logits: LogitRows::Last }
    }

    /// The logits of `rows` (indices into the batch) instead.
    pub fn logit_rows(self, rows: &'a [usize]) -> Self {
        Self { logits: LogitRows::Rows(rows), ..self }
    }

    /// No logits.
    pub fn no_logits(self) -> Self {
        Self { logits: LogitRows::None, ..self }
    }

    /// With these hooks (or none).
    pub fn hooks(self, hooks: Option<&'a HookSet>) -> Self {
        Self { hooks, ..self }
    }

    /// Positions and key spans of every row, after `cached` tokens.
    pub(crate) fn layout(&self, cached: usize) -> (Cow<'a, [usize]>, Cow<'a, [KeySpan]>) {
        match self.attention {
            Attention::Causal => {
                let positions: Vec<usize> = (cached..cached + self.tokens.len()).collect();
                let spans = positions.iter().map(|&i| KeySpan::causal(i)).collect();
                (Cow::Owned(positions), Cow::Owned(spans))
            }
            Attention::Spans { positions, spans } => (Cow::Borrowed(positions), Cow::Borrowed(spans)),
        }
    }

    /// The rows whose logits are asked for.
    pub(crate) fn logit_row_list(&self) -> Cow<'a, [usize]> {
        match self.logits {
            LogitRows::None => Cow::Borrowed(&[]),
            LogitRows::Last => Cow::Owned(self.tokens.len().checked_sub(1).into_iter().collect()),
            LogitRows::Rows(rows) => Cow::Borrowed(rows),
        }
    }
}

/// What a pass gives back, in the backend's memory: nothing is read back
/// during the pass, so a backend that can only read asynchronously (WebGPU
/// in a browser) awaits the reads after it.
pub struct ForwardOutput<T> {
    /// The logits asked for, in blocks a backend binding holds.
    pub logits: LogitBlocks<T>,
    /// The captured activations.
    pub captures: Captures<T>,
}

/// The captured rows of one hook point in one slice of the batch (a long
/// batch runs in several slices).
#[derive(Debug, Clone)]
pub struct CapturedRows<T> {
    /// Where.
    pub point: HookPoint,
    /// Each row's absolute position.
    pub positions: Vec<usize>,
    /// Each row's index in the batch.
    pub rows: Vec<usize>,
    /// `[rows, width]`.
    pub values: T,
}

/// The activations a pass captured, still on the backend, in the order
/// they were taken (block by block, then slice by slice).
#[derive(Debug, Clone)]
pub struct Captures<T>(pub Vec<CapturedRows<T>>);

impl<T> Default for Captures<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> Captures<T> {
    /// Whether nothing was captured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every captured row read back with a blocking
    /// [`Backend::download`], one read per captured tensor.
    pub fn download<B: Backend<Tensor = T>>(&self, backend: &B) -> Result<Vec<Capture>, BackendError> {
        let mut out = Vec::new();
        for c in &self.0 {
            let host = backend.download(&c.values)?;
            out.extend(c.rows_of(&host.data)?);
        }
        Ok(out)
    }
}

impl<T> CapturedRows<T> {
    /// The rows of `values` (this capture read back, row-major) as [`Capture`]s.
    pub fn rows_of(&self, values: &[f32]) -> Result<Vec<Capture>, BackendError> {
        let n = self.rows.len();
        if n == 0 || values.len() % n != 0 {
            return Err(BackendError::shape(
                "hooks",
                format!("{} values read back for {n} captured rows of {}", values.len(), self.point),
            ));
        }
        let width = values.len() / n;
        Ok(values
            .chunks_exact(width)
            .zip(self.positions.iter().zip(&self.rows))
            .map(|(v, (&position, &row))| Capture { point: self.point, position, row, values: v.to_vec() })
            .collect())
    }
}

impl<T> LogitBlocks<T> {
    /// The logits of every requested row, read back with a blocking
    /// [`Backend::download`] block after block.
    pub fn to_host<B: Backend<Tensor = T>>(&self, backend: &B, vocab: usize) -> Result<HostTensor, BackendError> {
        let mut all = HostTensor { rows: 0, cols: vocab, data: Vec::new() };
        for block in &self.blocks {
            let part = backend.download(block)?;
            all.rows += part.rows;
            all.data.extend_from_slice(&part.data);
        }
        Ok(all)
    }

    /// The logits when they are one block (always so for
    /// [`LogitRows::Last`]); `None` when there are none or several.
    pub fn into_single(self) -> Option<T> {
        let mut blocks = self.blocks;
        if blocks.len() == 1 { blocks.pop() } else { None }
    }
}
