//! Rolling-window perplexity.
//!
//! The text is tokenized once (no BOS). Windows of `ctx` tokens start every
//! `stride` tokens; each window scores only the tokens the previous windows
//! did not, so every token after the first is scored exactly once, with up to
//! `ctx - stride` tokens of earlier text as context (the sliding-window
//! method of the Hugging Face perplexity guide). When the model has a BOS
//! token it leads every window, so the first token is scored too.

use kaoshi_model::{Backend, Forward, Model, ModelError};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::EngineError;

/// Window settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerplexityParams {
    /// Tokens per window (BOS excluded).
    pub ctx: usize,
    /// Tokens between window starts; at most `ctx`.
    pub stride: usize,
}

/// The result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerplexityReport {
    /// Tokens scored.
    pub n_tokens: usize,
    /// UTF-8 bytes of the text.
    pub n_bytes: usize,
    /// Total negative log-likelihood (nats).
    pub nll: f64,
    /// `exp(nll / n_tokens)`.
    pub ppl: f64,
    /// `nll / ln 2 / n_bytes`.
    pub bits_per_byte: f64,
    /// Windows run.
    pub n_windows: usize,
}

/// One forward pass of a [`PerplexityPlan`]: run `tokens` causally from an
/// empty cache and score `picks` (`(row, token)`: row `row` predicts
/// `token`).
#[derive(Debug, Clone, PartialEq)]
pub struct PerplexityWindow {
    /// The window's tokens (BOS first when the model has one).
    pub tokens: Vec<u32>,
    /// Rows to take logits of.
    pub rows: Vec<usize>,
    /// `(index into rows, target token)`, one per scored token.
    pub picks: Vec<(usize, u32)>,
}

/// The windows of a rolling perplexity, planned without a model so that a
/// synchronous runner ([`perplexity`]) and an asynchronous one (the browser)
/// score the same tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct PerplexityPlan {
    /// The forward passes, in order.
    pub windows: Vec<PerplexityWindow>,
    n_bytes: usize,
}

impl PerplexityPlan {
    /// Plans the windows over `text` for a model with `context_length`.
    pub fn new(
        tok: &Tokenizer,
        text: &str,
        params: PerplexityParams,
        context_length: usize,
    ) -> Result<Self, EngineError> {
        let PerplexityParams { ctx, stride } = params;
        if ctx < 2 || stride == 0 || stride > ctx {
            return Err(EngineError::BadRequest(format!(
                "need ctx >= 2 and 0 < stride <= ctx (got ctx {ctx}, stride {stride})"
            )));
        }
        let bos = if tok.add_bos() { tok.bos_id() } else { None };
        let limit = context_length.saturating_sub(usize::from(bos.is_some()));
        if ctx > limit {
            return Err(EngineError::BadRequest(format!("ctx {ctx} exceeds the model's context length {limit}")));
        }
        let ids = tok.encode(text, false, false)?;
        let first_scored = usize::from(bos.is_none());
        if ids.len() <= first_scored {
            return Err(EngineError::BadRequest("the text has too few tokens to score".into()));
        }
        let starts: Vec<usize> =
            (0..ids.len()).step_by(stride).take_while(|&b| b == 0 || b + ctx - stride < ids.len()).collect();
        let mut windows = Vec::with_capacity(starts.len());
        let mut scored_to = first_scored;
        for &begin in &starts {
            let end = (begin + ctx).min(ids.len());
            let mut tokens: Vec<u32> = bos.into_iter().collect();
            let offset = tokens.len();
            tokens.extend_from_slice(&ids[begin..end]);
            // Token ids[t] is predicted by row (t - begin + offset - 1).
            let targets: Vec<usize> = (scored_to.max(begin)..end).collect();
            if targets.is_empty() {
                continue;
            }
            let rows: Vec<usize> = targets.iter().map(|&t| t - begin + offset - 1).collect();
            let picks: Vec<(usize, u32)> = targets.iter().enumerate().map(|(k, &t)| (k, ids[t])).collect();
            windows.push(PerplexityWindow { tokens, rows, picks });
            scored_to = end;
        }
        Ok(Self { windows, n_bytes: text.len() })
    }

    /// The report from each window's log-probabilities (in `picks` order).
    pub fn finish(&self, log_probs: &[Vec<f64>]) -> Result<PerplexityReport, EngineError> {
        if log_probs.len() != self.windows.len()
            || self.windows.iter().zip(log_probs).any(|(w, lp)| w.picks.len() != lp.len())
        {
            return Err(EngineError::BadRequest("log-probabilities do not match the planned windows".into()));
        }
        let nll: f64 = -log_probs.iter().flatten().sum::<f64>();
        let n_tokens: usize = log_probs.iter().map(Vec::len).sum();
        Ok(PerplexityReport {
            n_tokens,
            n_bytes: self.n_bytes,
            nll,
            ppl: (nll / n_tokens as f64).exp(),
            bits_per_byte: nll / std::f64::consts::LN_2 / self.n_bytes as f64,
            n_windows: self.windows.len(),
        })
    }
}

/// Perplexity of `text`; `progress(done, total)` is called after each window.
pub fn perplexity<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    text: &str,
    params: PerplexityParams,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PerplexityReport, EngineError> {
    let plan = PerplexityPlan::new(tok, text, params, model.config().context_length)?;
    let mut log_probs = Vec::with_capacity(plan.windows.len());
    for (w, window) in plan.windows.iter().enumerate() {
        // Logits in blocks: a window of 512 rows over a 152k vocabulary is
        // more than one GPU binding holds.
        let out = model.run(Forward::causal(&window.tokens).logit_rows(&window.rows), &mut model.new_cache())?;
        let scores = out.logits.token_scores(model.backend(), &window.picks).map_err(ModelError::from)?;
        log_probs.push(scores.iter().map(|s| s.log_prob).collect());
        progress(w + 1, plan.windows.len());
    }
    plan.finish(&log_probs)
}
