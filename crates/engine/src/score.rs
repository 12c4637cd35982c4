//! Teacher-forced scoring of continuations.
//!
//! For a context and N continuations, the context runs once; its key/value
//! cache is then shared by one batched forward pass in which every
//! continuation sees the context and its own earlier tokens only
//! ([`kaoshi_model::KeySpan`]). The result is the same as scoring each
//! `context + continuation` from scratch (tested), at a fraction of the cost.

use kaoshi_model::{Backend, Forward, HookSet, KeySpan, KvCache, Model, ModelError, TokenScore};
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

/// The passes that score continuations after a context, planned without a
/// model so that a synchronous and an asynchronous runner (the browser
/// reads results back with `await`) share one plan: first the context with
/// a causal pass, whose last row predicts every continuation's first token;
/// then continuations longer than one token in batches over a copy of the
/// context's cache, each row seeing the context and its own continuation's
/// earlier tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringPlan {
    /// Picks `(row 0, first token)` of the context pass, one per continuation.
    pub first_picks: Vec<(usize, u32)>,
    /// The continuation batches, each run on a clone of the context's cache.
    pub batches: Vec<ContinuationBatch>,
    n_tokens: Vec<usize>,
}

/// One batched forward pass of [`ScoringPlan`]: run `tokens` at
/// `positions` with `spans`, take logits of every row, score `picks`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuationBatch {
    /// Token ids, continuations back to back (each without its last token).
    pub tokens: Vec<u32>,
    /// Sequence position of each token.
    pub positions: Vec<usize>,
    /// Keys each row may see.
    pub spans: Vec<KeySpan>,
    /// `(row, next token)` to score, in continuation order.
    pub picks: Vec<(usize, u32)>,
    /// The continuation each pick belongs to.
    pub owners: Vec<usize>,
}

impl ScoringPlan {
    /// Plans the scoring of `continuations` after `context`; the context must
    /// not be empty (its last token predicts the first continuation token)
    /// and no continuation may be empty.
    pub fn new(context: &[u32], continuations: &[Vec<u32>]) -> Result<Self, EngineError> {
        if context.is_empty() {
            return Err(EngineError::BadRequest(
                "the context has no tokens: nothing predicts the first continuation token".into(),
            ));
        }
        if let Some(i) = continuations.iter().position(|c| c.is_empty()) {
            return Err(EngineError::BadRequest(format!("continuation {i} has no tokens")));
        }
        let base = context.len();
        let mut batches = Vec::new();
        let mut batch: Option<ContinuationBatch> = None;
        for (i, c) in continuations.iter().enumerate().filter(|(_, c)| c.len() > 1) {
            let n = c.len() - 1;
            if batch.as_ref().is_some_and(|b| !b.tokens.is_empty() && b.tokens.len() + n > MAX_BATCH_ROWS) {
                batches.extend(batch.take());
            }
            let b = batch.get_or_insert_with(|| ContinuationBatch {
                tokens: vec![],
                positions: vec![],
                spans: vec![],
                picks: vec![],
                owners: vec![],
            });
            let own_start = base + b.tokens.len();
            for (j, (&t, &next)) in c.iter().zip(&c[1..]).enumerate() {
                b.picks.push((b.tokens.len(), next));
                b.owners.push(i);
                b.tokens.push(t);
                b.positions.push(context.len() + j);
                b.spans.push(KeySpan { shared: base, own_start, own_end: own_start + j + 1 });
            }
        }
        batches.extend(batch);
        Ok(Self {
            first_picks: continuations.iter().map(|c| (0, c[0])).collect(),
            batches,
            n_tokens: continuations.iter().map(Vec::len).collect(),
        })
    }

    /// The scores, given the results of the context pass's `first_picks`
    /// and of each batch's `picks`, in order.
    pub fn finish(
        &self,
        first: &[TokenScore],
        batches: &[Vec<TokenScore>],
    ) -> Result<Vec<ContinuationScore>, EngineError> {
        let missing = || EngineError::BadRequest("a token score is missing".into());
        if first.len() != self.first_picks.len() || batches.len() != self.batches.len() {
            return Err(missing());
        }
        let mut scores: Vec<ContinuationScore> = self
            .n_tokens
            .iter()
            .zip(first)
            .map(|(&n, s)| ContinuationScore {
                logprob: s.log_prob,
                is_greedy: s.is_argmax,
                n_tokens: n,
                token_logprobs: vec![s.log_prob],
            })
            .collect();
        for (b, got) in self.batches.iter().zip(batches) {
            if got.len() != b.picks.len() {
                return Err(missing());
            }
            for (&i, t) in b.owners.iter().zip(got) {
                let s = &mut scores[i];
                s.logprob += t.log_prob;
                s.token_logprobs.push(t.log_prob);
                s.is_greedy &= t.is_argmax;
            }
        }
        Ok(scores)
    }
}

/// Scores token continuations after `context` (which must not be empty: the
/// first continuation token is predicted from the last context token),
/// following a [`ScoringPlan`]. `hooks` apply to every pass (their
/// interventions steer the scores; captures are taken with
/// [`kaoshi_model::Model::run`]).
pub fn score_continuations<B: Backend>(
    model: &Model<B>,
    context: &[u32],
    continuations: &[Vec<u32>],
    hooks: Option<&HookSet>,
) -> Result<Vec<ContinuationScore>, EngineError> {
    let plan = ScoringPlan::new(context, continuations)?;
    let mut ctx_cache = model.new_cache();
    let last = Forward::causal(context).hooks(hooks);
    let first = forward_scores(model, last, &mut ctx_cache, &plan.first_picks)?;
    let mut got = Vec::with_capacity(plan.batches.len());
    for b in &plan.batches {
        let rows: Vec<usize> = (0..b.tokens.len()).collect();
        let req = Forward::spans(&b.tokens, &b.positions, &b.spans).logit_rows(&rows).hooks(hooks);
        got.push(forward_scores(model, req, &mut ctx_cache.clone(), &b.picks)?);
    }
    plan.finish(&first, &got)
}

/// Runs a forward pass and scores `picks` (`(index into the logit rows,
/// token)`) on the backend, reading back two numbers per pick instead of
/// whole rows of logits.
fn forward_scores<B: Backend>(
    model: &Model<B>,
    req: Forward<'_>,
    cache: &mut KvCache<B>,
    picks: &[(usize, u32)],
) -> Result<Vec<TokenScore>, EngineError> {
    let out = model.run(req, cache)?;
    Ok(out.logits.token_scores(model.backend(), picks).map_err(ModelError::from)?)
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
    let out = model.run(Forward::causal(&full).logit_rows(&rows), &mut model.new_cache())?;
    let logits = out.logits.to_host(model.backend(), model.config().vocab_size).map_err(ModelError::from)?;
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

/// Context and continuation token ids.
pub type TokenPair = (Vec<u32>, Vec<u32>);

/// Splits `context + continuation` into token ids the way
/// lm-evaluation-harness does (`_encode_pair` in lm_eval/api/model.py):
/// trailing whitespace of the context moves to the continuation, the pair
/// is tokenized whole with `encode`, and the continuation is what follows
/// the context's own token count. `None` when that leaves no continuation
/// token. `kaoshi score` ([`encode_pair`]) and `kaoshi eval` (with the chat
/// template's encoding) both split pairs here.
pub fn split_pair<E>(
    context: &str,
    continuation: &str,
    encode: impl Fn(&str) -> Result<Vec<u32>, E>,
) -> Result<Option<TokenPair>, E> {
    let trimmed = context.trim_end();
    let ctx = encode(trimmed)?;
    let whole = encode(&format!("{trimmed}{}{continuation}", &context[trimmed.len()..]))?;
    let cont = whole.get(ctx.len()..).map(<[u32]>::to_vec).unwrap_or_default();
    Ok((!cont.is_empty()).then_some((ctx, cont)))
}

/// [`split_pair`] with the tokenizer's plain encoding (BOS when it adds one).
pub fn encode_pair(tok: &Tokenizer, context: &str, continuation: &str) -> Result<TokenPair, EngineError> {
    split_pair(context, continuation, |s| tok.encode(s, true, false))?.ok_or_else(|| {
        EngineError::BadRequest(format!("continuation {continuation:?} has no tokens after the context"))
    })
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
