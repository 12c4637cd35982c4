//! One model's pass over a planned text: the perplexity of every scored
//! token, and for the compared positions the full distribution, which the
//! reference writes to its file and a variant compares with that file.
//!
//! Perplexity comes from `token_scores` (on a GPU, reduced on the device:
//! two numbers per token); the compared positions' logits are read back
//! whole, one block of `Backend::max_batch_rows` rows at a time.

use kaoshi_model::{Backend, Forward, HostTensor, Model};

use crate::error::StudyError;
use crate::fidelity::{Accumulator, compare, log_softmax};
use crate::plan::TextPlan;
use crate::reference::{ReferenceReader, ReferenceWriter};

/// What a pass does with the compared positions.
pub enum Role<'a> {
    /// The reference: writes their log-probabilities.
    Reference(&'a mut ReferenceWriter),
    /// A variant: compares them with the reference's, row by row.
    Variant(&'a mut ReferenceReader, &'a mut Accumulator),
}

/// The perplexity part of a pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextScore {
    /// Tokens scored.
    pub n_tokens: usize,
    /// Their total negative log-likelihood, nats.
    pub nll: f64,
}

impl TextScore {
    /// `exp(nll / n_tokens)`.
    pub fn ppl(&self) -> f64 {
        (self.nll / self.n_tokens as f64).exp()
    }
}

/// Runs `model` over `plan`; `progress(done, total)` after each window.
pub fn run_text<B: Backend>(
    model: &Model<B>,
    plan: &TextPlan,
    role: &mut Role<'_>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<TextScore, StudyError> {
    let mut score = TextScore { n_tokens: 0, nll: 0.0 };
    for (w, planned) in plan.windows.iter().enumerate() {
        let win = &planned.window;
        let out = model.run(Forward::causal(&win.tokens).logit_rows(&win.rows), &mut model.new_cache())?;
        let scores = out.logits.token_scores(model.backend(), &win.picks)?;
        score.nll -= scores.iter().map(|s| s.log_prob).sum::<f64>();
        score.n_tokens += scores.len();
        let per_block = out.logits.rows_per_block.max(1);
        let mut host: Option<(usize, HostTensor)> = None;
        for &(row, target) in &win.picks[..planned.compared] {
            let b = row / per_block;
            if host.as_ref().map(|h| h.0) != Some(b) {
                let block = out.logits.blocks.get(b).ok_or_else(|| {
                    StudyError::Mismatch(format!("no logits block {b} for row {row} of window {}", w + 1))
                })?;
                host = Some((b, model.backend().download(block)?));
            }
            let logits = host.as_ref().map(|h| h.1.row(row - b * per_block)).expect("block just read");
            match role {
                Role::Reference(writer) => writer.push(&log_softmax(logits))?,
                Role::Variant(reader, acc) => {
                    let reference = reader.next_row()?;
                    acc.push(compare(reference, logits, target as usize).map_err(StudyError::Mismatch)?);
                }
            }
        }
        progress(w + 1, plan.windows.len());
    }
    Ok(score)
}
