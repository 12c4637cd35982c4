//! Which tokens of a perplexity text every model scores: the documents in
//! order, each cut into the rolling windows of `kaoshi ppl`
//! (`kaoshi_engine::PerplexityPlan`: windows of `ctx` tokens every
//! `stride`, BOS first, each token scored once), until `max_tokens` are
//! scored. The first `kld_tokens` scored positions are also compared with
//! the reference's full distribution.
//!
//! Every model plans the text with its own tokenizer; the plan's
//! fingerprint (FNV-1a over the windows' tokens and targets) must equal
//! the reference's, so a variant that tokenizes differently (not a variant
//! of the same model) is refused instead of compared position by wrong
//! position.

use kaoshi_engine::{EngineError, PerplexityParams, PerplexityPlan, PerplexityWindow};
use kaoshi_tokenizer::Tokenizer;

/// One window of a [`TextPlan`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWindow {
    /// Tokens, rows and picks, as the engine plans them (picks may be cut
    /// at the token budget).
    pub window: PerplexityWindow,
    /// How many of the window's first picks are compared with the
    /// reference.
    pub compared: usize,
}

/// The scored tokens of one text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextPlan {
    /// The text's name.
    pub name: String,
    /// The windows, in order.
    pub windows: Vec<PlannedWindow>,
    /// Tokens scored.
    pub n_scored: usize,
    /// Positions compared with the reference.
    pub n_compared: usize,
    /// Documents used (whole or in part), and those too short to score.
    pub n_documents: usize,
    /// Documents skipped for having fewer than two tokens.
    pub n_skipped: usize,
    /// FNV-1a 64 of every window's tokens and targets.
    pub fingerprint: u64,
}

fn fnv(h: u64, x: u32) -> u64 {
    x.to_le_bytes().iter().fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3))
}

/// Plans `documents` (in order) for a model with `context_length`:
/// at most `max_tokens` scored (0: all), the first `kld_tokens` compared.
pub fn plan_text(
    name: &str,
    tok: &Tokenizer,
    documents: &[String],
    params: PerplexityParams,
    context_length: usize,
    max_tokens: usize,
    kld_tokens: usize,
) -> Result<TextPlan, EngineError> {
    let budget = if max_tokens == 0 { usize::MAX } else { max_tokens };
    let mut plan = TextPlan {
        name: name.to_string(),
        windows: Vec::new(),
        n_scored: 0,
        n_compared: 0,
        n_documents: 0,
        n_skipped: 0,
        fingerprint: 0xCBF2_9CE4_8422_2325,
    };
    for doc in documents {
        if plan.n_scored >= budget {
            break;
        }
        let doc_plan = match PerplexityPlan::new(tok, doc, params, context_length) {
            Ok(p) => p,
            // A document of one token (or none) has nothing to score.
            Err(EngineError::BadRequest(m)) if m.contains("too few tokens") => {
                plan.n_skipped += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        plan.n_documents += 1;
        for mut window in doc_plan.windows {
            let left = budget - plan.n_scored;
            if left == 0 {
                break;
            }
            if window.picks.len() > left {
                // Picks index rows in order (pick k is row k's target).
                window.picks.truncate(left);
                window.rows.truncate(left);
            }
            let compared = kld_tokens.saturating_sub(plan.n_compared).min(window.picks.len());
            plan.n_scored += window.picks.len();
            plan.n_compared += compared;
            let mut h = fnv(plan.fingerprint, window.tokens.len() as u32);
            h = window.tokens.iter().fold(h, |h, &t| fnv(h, t));
            for (&row, &(_, target)) in window.rows.iter().zip(&window.picks) {
                h = fnv(fnv(h, row as u32), target);
            }
            plan.fingerprint = h;
            plan.windows.push(PlannedWindow { window, compared });
        }
    }
    if plan.n_scored == 0 {
        return Err(EngineError::BadRequest(format!("{name}: no document has tokens to score")));
    }
    Ok(plan)
}
