//! Rolling-window perplexity.
//!
//! The text is tokenized once (no BOS). Windows of `ctx` tokens start every
//! `stride` tokens; each window scores only the tokens the previous windows
//! did not, so every token after the first is scored exactly once, with up to
//! `ctx - stride` tokens of earlier text as context (the sliding-window
//! method of the Hugging Face perplexity guide). When the model has a BOS
//! token it leads every window, so the first token is scored too.

use kaoshi_model::{Backend, Model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::EngineError;
use crate::logits::log_prob;

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

/// Perplexity of `text`; `progress(done, total)` is called after each window.
pub fn perplexity<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    text: &str,
    params: PerplexityParams,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PerplexityReport, EngineError> {
    let PerplexityParams { ctx, stride } = params;
    if ctx < 2 || stride == 0 || stride > ctx {
        return Err(EngineError::BadRequest(format!(
            "need ctx >= 2 and 0 < stride <= ctx (got ctx {ctx}, stride {stride})"
        )));
    }
    let bos = if tok.add_bos() { tok.bos_id() } else { None };
    let limit = model.config().context_length - usize::from(bos.is_some());
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
    let (mut nll, mut n_tokens, mut scored_to) = (0.0f64, 0usize, first_scored);
    for (w, &begin) in starts.iter().enumerate() {
        let end = (begin + ctx).min(ids.len());
        let mut window: Vec<u32> = bos.into_iter().collect();
        let offset = window.len();
        window.extend_from_slice(&ids[begin..end]);
        // Token ids[t] is predicted by row (t - begin + offset - 1).
        let targets: Vec<usize> = (scored_to.max(begin)..end).collect();
        if targets.is_empty() {
            continue;
        }
        let rows: Vec<usize> = targets.iter().map(|&t| t - begin + offset - 1).collect();
        let mut cache = model.new_cache();
        let logits = model.forward_causal(&window, &mut cache, None, &rows)?;
        for (k, &t) in targets.iter().enumerate() {
            nll -= log_prob(logits.row(k), ids[t] as usize);
        }
        n_tokens += targets.len();
        scored_to = end;
        progress(w + 1, starts.len());
    }
    let n_bytes = text.len();
    Ok(PerplexityReport {
        n_tokens,
        n_bytes,
        nll,
        ppl: (nll / n_tokens as f64).exp(),
        bits_per_byte: nll / std::f64::consts::LN_2 / n_bytes as f64,
        n_windows: starts.len(),
    })
}
