//! Teacher-forced scoring of continuations.
//!
//! For a context and N continuations, the context runs once; its key/value
//! cache is then shared by one batched forward pass in which every
//! continuation sees the context and its own earlier tokens only
//! ([`kaoshi_model::KeySpan`]). The result is the same as scoring each
//! `context + continuation` from scratch (tested), at a fraction of the cost.

use kaoshi_model::{Backend, HookSet, KeySpan, Model};
use kaoshi_tokenizer::Tokenizer;
use serde::{Deserialize, Serialize};

use crate::error::EngineError;
use crate::logits::{argmax, log_prob};

/// Most rows a batched continuation pass carries at once.
const MAX_BATCH_ROWS: usize = 512;

/// The score of one continuation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContinuationScore {
    /// Sum of the token log-probabilities (natural log).
    pub logprob: f64,
    /// Whether greedy decoding after the context would produce exactly these tokens.
    pub is_greedy: bool,
    /// Number of continuation tokens.
    pub n_tokens: usize,
    /// Log-probability of each continuation token.
    pub token_logprobs: Vec<f64>,
}

/// Scores token continuations after `context` (which must not be empty: the
/// first continuation token is predicted from the last context token).
pub fn score_continuations<B: Backend>(
    model: &Model<B>,
    context: &[u32],
    continuations: &[Vec<u32>],
    mut hooks: Option<&mut HookSet>,
) -> Result<Vec<ContinuationScore>, EngineError> {
    let Some(last) = context.len().checked_sub(1) else {
        return Err(EngineError::BadRequest(
            "the context has no tokens: nothing predicts the first continuation token".into(),
        ));
    };
    if let Some(i) = continuations.iter().position(|c| c.is_empty()) {
        return Err(EngineError::BadRequest(format!("continuation {i} has no tokens")));
    }
    let mut ctx_cache = model.new_cache();
    let ctx_logits = model.forward_causal(context, &mut ctx_cache, hooks.as_deref_mut(), &[last])?;
    let first_row = ctx_logits.row(0);
    let mut scores: Vec<ContinuationScore> = continuations
        .iter()
        .map(|c| {
            let lp = log_prob(first_row, c[0] as usize);
            ContinuationScore {
                logprob: lp,
                is_greedy: argmax(first_row) == c[0] as usize,
                n_tokens: c.len(),
                token_logprobs: vec![lp],
            }
        })
        .collect();
    // Continuations longer than one token: feed all but their last token,
    // several continuations per pass.
    let mut pending: Vec<usize> = (0..continuations.len()).filter(|&i| continuations[i].len() > 1).collect();
    while !pending.is_empty() {
        let mut batch = Vec::new();
        let mut rows = 0;
        while let Some(&i) = pending.first() {
            let n = continuations[i].len() - 1;
            if !batch.is_empty() && rows + n > MAX_BATCH_ROWS {
                break;
            }
            batch.push(i);
            rows += n;
            pending.remove(0);
        }
        let mut cache = ctx_cache.clone();
        let base = cache.len();
        let (mut tokens, mut positions, mut spans) = (Vec::new(), Vec::new(), Vec::new());
        for &i in &batch {
            let own_start = base + tokens.len();
            for (j, &t) in continuations[i][..continuations[i].len() - 1].iter().enumerate() {
                tokens.push(t);
                positions.push(context.len() + j);
                spans.push(KeySpan { shared: base, own_start, own_end: own_start + j + 1 });
            }
        }
        let all_rows: Vec<usize> = (0..tokens.len()).collect();
        let logits = model.forward(&tokens, &positions, &spans, &mut cache, hooks.as_deref_mut(), &all_rows)?;
        let mut row = 0;
        for &i in &batch {
            for &target in &continuations[i][1..] {
                let r = logits.row(row);
                let lp = log_prob(r, target as usize);
                let s = &mut scores[i];
                s.logprob += lp;
                s.token_logprobs.push(lp);
                s.is_greedy &= argmax(r) == target as usize;
                row += 1;
            }
        }
    }
    Ok(scores)
}

/// The reference path: each `context + continuation` runs from scratch in
/// one causal pass. Used to test [`score_continuations`].
pub fn score_from_scratch<B: Backend>(
    model: &Model<B>,
    context: &[u32],
    continuation: &[u32],
) -> Result<ContinuationScore, EngineError> {
    if context.is_empty() || continuation.is_empty() {
        return Err(EngineError::BadRequest("empty context or continuation".into()));
    }
    let full: Vec<u32> = context.iter().chain(continuation).copied().collect();
    let rows: Vec<usize> = (context.len() - 1..full.len() - 1).collect();
    let mut cache = model.new_cache();
    let logits = model.forward_causal(&full, &mut cache, None, &rows)?;
    let mut s =
        ContinuationScore { logprob: 0.0, is_greedy: true, n_tokens: continuation.len(), token_logprobs: vec![] };
    for (k, &t) in continuation.iter().enumerate() {
        let lp = log_prob(logits.row(k), t as usize);
        s.logprob += lp;
        s.token_logprobs.push(lp);
        s.is_greedy &= argmax(logits.row(k)) == t as usize;
    }
    Ok(s)
}

/// A text request: score `continuation` after `context`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRequest {
    /// The prompt.
    pub context: String,
    /// The text whose probability is wanted.
    pub continuation: String,
}

/// A scored text request, with the token ids actually used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredRequest {
    /// The score.
    #[serde(flatten)]
    pub score: ContinuationScore,
    /// Context token ids (BOS included when the tokenizer adds one).
    pub context_tokens: Vec<u32>,
    /// Continuation token ids.
    pub tokens: Vec<u32>,
}

/// Splits `context + continuation` into token ids the way
/// lm-evaluation-harness does (`_encode_pair`): trailing spaces of the
/// context move to the continuation, the pair is tokenized whole, and the
/// continuation is what follows the context's own token count.
pub fn encode_pair(tok: &Tokenizer, context: &str, continuation: &str) -> Result<(Vec<u32>, Vec<u32>), EngineError> {
    let trimmed = context.trim_end();
    let moved = &context[trimmed.len()..];
    let continuation = format!("{moved}{continuation}");
    let ctx = tok.encode(trimmed, true, false)?;
    let whole = tok.encode(&format!("{trimmed}{continuation}"), true, false)?;
    let cont = whole.get(ctx.len()..).map(<[u32]>::to_vec).unwrap_or_default();
    if cont.is_empty() {
        return Err(EngineError::BadRequest(format!("continuation {continuation:?} has no tokens after the context")));
    }
    Ok((ctx, cont))
}

/// Scores text requests. Requests with the same context share one context
/// pass and one batched continuation pass.
pub fn score_requests<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    requests: &[ScoreRequest],
) -> Result<Vec<ScoredRequest>, EngineError> {
    let mut encoded = Vec::with_capacity(requests.len());
    for r in requests {
        encoded.push(encode_pair(tok, &r.context, &r.continuation)?);
    }
    let mut out: Vec<Option<ScoredRequest>> = vec![None; requests.len()];
    for i in 0..encoded.len() {
        if out[i].is_some() {
            continue;
        }
        let ctx = &encoded[i].0;
        let group: Vec<usize> = (i..encoded.len()).filter(|&j| out[j].is_none() && &encoded[j].0 == ctx).collect();
        let conts: Vec<Vec<u32>> = group.iter().map(|&j| encoded[j].1.clone()).collect();
        let scores = score_continuations(model, ctx, &conts, None)?;
        for (&j, score) in group.iter().zip(scores) {
            out[j] = Some(ScoredRequest { score, context_tokens: ctx.clone(), tokens: encoded[j].1.clone() });
        }
    }
    Ok(out.into_iter().flatten().collect())
}
