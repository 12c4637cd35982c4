//! Generation and scoring written once for both backends, with the logits
//! read back asynchronously: a browser can only map a WebGPU buffer when
//! control returns to its event loop, so the loop over tokens awaits each
//! read-back instead of blocking in [`kaoshi_model::Backend::download`].
//!
//! They follow `kaoshi_engine::generate` and
//! `kaoshi_engine::score_continuations` step for step (same forward passes,
//! same backend reductions: on the host in f64 on the CPU, on the device on
//! the GPU), and `tests/native.rs` checks that on the CPU backend they give
//! the engine's results exactly.

use std::future::Future;

use kaoshi_cpu::CpuBackend;
use kaoshi_engine::sampling::{Rng, SamplingParams, sample, sample_candidates};
use kaoshi_engine::{
    ContinuationScore, Decoding, GenerateParams, GenerationOutput, PerplexityParams, PerplexityPlan, PerplexityReport,
    ScoringPlan,
};
use kaoshi_gpu::GpuBackend;
use kaoshi_harness::{ItemRequest, ItemResponse};
use kaoshi_model::{Backend, Capture, Captures, Forward, HostTensor, KvCache, LogitBlocks, Model, TokenScore};
use kaoshi_tokenizer::Tokenizer;

use crate::error::{Error, ErrorKind};
use crate::pace::Pacer;

/// A backend whose tensors can be read back without blocking the thread.
pub(crate) trait ReadBack: Backend {
    /// The values of `x`, row-major.
    fn read(&self, x: &Self::Tensor) -> impl Future<Output = Result<Vec<f32>, Error>>;
    /// [`Backend::token_scores`], awaited.
    fn scores(
        &self,
        logits: &Self::Tensor,
        picks: &[(usize, u32)],
    ) -> impl Future<Output = Result<Vec<TokenScore>, Error>>;
    /// [`Backend::argmax_rows`], awaited.
    fn argmax(&self, logits: &Self::Tensor) -> impl Future<Output = Result<Vec<u32>, Error>>;
    /// [`Backend::top_k_rows`], awaited.
    fn top_k(&self, logits: &Self::Tensor, k: usize) -> impl Future<Output = Result<Vec<Vec<(u32, f32)>>, Error>>;
}

impl ReadBack for CpuBackend {
    async fn read(&self, x: &Self::Tensor) -> Result<Vec<f32>, Error> {
        Ok(self.download(x)?.data)
    }

    async fn scores(&self, logits: &Self::Tensor, picks: &[(usize, u32)]) -> Result<Vec<TokenScore>, Error> {
        Ok(self.token_scores(logits, picks)?)
    }

    async fn argmax(&self, logits: &Self::Tensor) -> Result<Vec<u32>, Error> {
        Ok(self.argmax_rows(logits)?)
    }

    async fn top_k(&self, logits: &Self::Tensor, k: usize) -> Result<Vec<Vec<(u32, f32)>>, Error> {
        Ok(self.top_k_rows(logits, k)?)
    }
}

/// On the GPU the reductions run on the device (f32) and two numbers per
/// pick are read back, not rows of logits.
impl ReadBack for GpuBackend {
    async fn read(&self, x: &Self::Tensor) -> Result<Vec<f32>, Error> {
        Ok(self.device().download_tensor_async(x).await?)
    }

    async fn scores(&self, logits: &Self::Tensor, picks: &[(usize, u32)]) -> Result<Vec<TokenScore>, Error> {
        let got = self.device().token_scores_async(logits, picks).await?;
        Ok(picks
            .iter()
            .zip(got)
            .map(|(&(_, token), (lp, arg))| TokenScore { log_prob: f64::from(lp), is_argmax: arg == token })
            .collect())
    }

    async fn argmax(&self, logits: &Self::Tensor) -> Result<Vec<u32>, Error> {
        let picks: Vec<(usize, u32)> = (0..logits.rows).map(|r| (r, 0)).collect();
        Ok(self.device().token_scores_async(logits, &picks).await?.into_iter().map(|(_, arg)| arg).collect())
    }

    /// On the device up to [`kaoshi_gpu::TOP_K_MAX`]; above, the rows are
    /// read back.
    async fn top_k(&self, logits: &Self::Tensor, k: usize) -> Result<Vec<Vec<(u32, f32)>>, Error> {
        if k <= kaoshi_gpu::TOP_K_MAX {
            return Ok(self.device().top_k_async(logits, k).await?);
        }
        let data = self.read(logits).await?;
        Ok(HostTensor { rows: logits.rows, cols: logits.cols, data }.top_k_rows(k))
    }
}

/// What the next step of generation needs from the last row's logits.
enum Next {
    /// Greedy: the argmax, reduced by the backend.
    Token(u32),
    /// Top-k sampling: the `top_k` candidates, selected by the backend.
    Candidates(Vec<(u32, f32)>),
    /// Sampling without top-k: the row itself.
    Logits(Vec<f32>),
}

/// Runs `tokens` after `cache` and returns what the next pick needs, as
/// `kaoshi_engine::next_token` asks it of the backend: the last row's
/// argmax (greedy), its `top_k` candidates (top-k sampling) or its logits.
async fn forward_next<B: ReadBack>(
    model: &Model<B>,
    tokens: &[u32],
    cache: &mut KvCache<B>,
    sampling: &SamplingParams,
) -> Result<Next, Error> {
    let out = model.run(Forward::causal(tokens), cache)?;
    let logits = out.logits.into_single().ok_or_else(|| Error::other("no logits row"))?;
    if sampling.temperature <= 0.0 {
        let ids = model.backend().argmax(&logits).await?;
        return ids.first().copied().map(Next::Token).ok_or_else(|| Error::other("no logits row"));
    }
    if sampling.top_k > 0 {
        let rows = model.backend().top_k(&logits, sampling.top_k).await?;
        return rows.into_iter().next().map(Next::Candidates).ok_or_else(|| Error::other("no logits row"));
    }
    Ok(Next::Logits(model.backend().read(&logits).await?))
}

/// Runs a forward pass and scores `picks` (rows of its logit rows) on the
/// backend.
async fn forward_scores<B: ReadBack>(
    model: &Model<B>,
    req: Forward<'_>,
    cache: &mut KvCache<B>,
    picks: &[(usize, u32)],
) -> Result<Vec<TokenScore>, Error> {
    block_scores(model, &model.run(req, cache)?.logits, picks).await
}

/// `picks` (rows of the whole) scored block by block, as
/// `LogitBlocks::token_scores` does, each block's reduction awaited.
async fn block_scores<B: ReadBack>(
    model: &Model<B>,
    logits: &LogitBlocks<B::Tensor>,
    picks: &[(usize, u32)],
) -> Result<Vec<TokenScore>, Error> {
    if logits.blocks.is_empty() {
        return Ok(Vec::new());
    }
    let split = logits.split(picks);
    let mut results = Vec::with_capacity(logits.blocks.len());
    for (i, block) in logits.blocks.iter().enumerate() {
        let local = split.block(i);
        results.push(if local.is_empty() { Vec::new() } else { model.backend().scores(block, local).await? });
    }
    Ok(split.merge(results)?)
}

/// Runs `tokens` after `cache` (causal attention) and reads back the logits
/// of `rows` (indices into `tokens`), `[rows.len() * vocab]` row-major.
pub(crate) async fn forward_logits<B: ReadBack>(
    model: &Model<B>,
    tokens: &[u32],
    cache: &mut KvCache<B>,
    rows: &[usize],
) -> Result<Vec<f32>, Error> {
    let mut all = Vec::new();
    for block in &model.run(Forward::causal(tokens).logit_rows(rows), cache)?.logits.blocks {
        all.extend(model.backend().read(block).await?);
    }
    Ok(all)
}

/// The captured activations of a pass, read back after it, one awaited
/// read per captured tensor (captures stay on the device during the pass).
pub(crate) async fn read_captures<B: ReadBack>(
    model: &Model<B>,
    captures: &Captures<B::Tensor>,
) -> Result<Vec<Capture>, Error> {
    let mut out = Vec::new();
    for c in &captures.0 {
        out.extend(c.rows_of(&model.backend().read(&c.values).await?)?);
    }
    Ok(out)
}

/// Generates after `prompt` as `kaoshi_engine::generate` does (the same
/// [`Decoding`]: stop tokens, stop strings, `max_tokens`). `aborted` is
/// asked before each forward pass after the first; when it says so,
/// generation ends with an [`ErrorKind::Abort`] error. `on_piece` receives
/// each non-empty piece of text as soon as it is safe to show (their
/// concatenation is the output's text); an error from it ends generation
/// with that error.
pub(crate) async fn generate<B: ReadBack>(
    model: &Model<B>,
    tok: &Tokenizer,
    prompt: &[u32],
    params: &GenerateParams,
    aborted: &dyn Fn() -> bool,
    on_piece: &mut dyn FnMut(&str) -> Result<(), Error>,
) -> Result<GenerationOutput, Error> {
    let mut decoding = Decoding::new(tok, prompt, params)?;
    // The callback's error, kept to end generation with.
    let mut failed: Option<Error> = None;
    let mut on_text = |piece: &str| match on_piece(piece) {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    };
    if decoding.wants_more() {
        let vocab = model.config().vocab_size;
        let mut rng = Rng::new(params.sampling.seed);
        let mut cache = model.new_cache();
        let ctx_max = model.config().context_length;
        let mut pacer = Pacer::new();
        let mut step = forward_next(model, prompt, &mut cache, &params.sampling).await?;
        loop {
            let next = match &step {
                Next::Token(t) => *t,
                Next::Candidates(c) => sample_candidates(c, &params.sampling, &mut rng),
                Next::Logits(logits) if logits.len() == vocab => sample(logits, &params.sampling, &mut rng),
                Next::Logits(logits) => {
                    return Err(Error::other(format!("read back {} logits for a vocabulary of {vocab}", logits.len())));
                }
            };
            if !decoding.push(next, &mut on_text)? {
                break;
            }
            if cache.len() >= ctx_max {
                decoding.context_full();
                break;
            }
            pacer.pause().await;
            if aborted() {
                return Err(Error::new(ErrorKind::Abort, "generation was aborted"));
            }
            step = forward_next(model, &[next], &mut cache, &params.sampling).await?;
        }
    }
    let out = decoding.finish(&mut on_text);
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Rolling perplexity as `kaoshi_engine::perplexity` computes it (the same
/// [`PerplexityPlan`]), each window's log-probabilities reduced by the
/// backend and awaited. `aborted` is asked between windows.
pub(crate) async fn perplexity<B: ReadBack>(
    model: &Model<B>,
    tok: &Tokenizer,
    text: &str,
    params: PerplexityParams,
    aborted: &dyn Fn() -> bool,
) -> Result<PerplexityReport, Error> {
    let plan = PerplexityPlan::new(tok, text, params, model.config().context_length)?;
    let mut pacer = Pacer::new();
    let mut log_probs = Vec::with_capacity(plan.windows.len());
    for w in &plan.windows {
        let req = Forward::causal(&w.tokens).logit_rows(&w.rows);
        let scores = forward_scores(model, req, &mut model.new_cache(), &w.picks).await?;
        log_probs.push(scores.iter().map(|s| s.log_prob).collect());
        pacer.pause().await;
        if aborted() {
            return Err(Error::new(ErrorKind::Abort, "perplexity was aborted"));
        }
    }
    Ok(plan.finish(&log_probs)?)
}

/// Answers one benchmark item's request as
/// `kaoshi_harness::run_request` does, awaiting each read-back.
pub(crate) async fn answer<B: ReadBack>(
    model: &Model<B>,
    tok: &Tokenizer,
    req: &ItemRequest,
    aborted: &dyn Fn() -> bool,
) -> Result<ItemResponse, Error> {
    Ok(match req {
        ItemRequest::Choices { context, continuations, .. } => {
            ItemResponse::Choices(score(model, context, continuations).await?)
        }
        ItemRequest::Letters { tokens, picks } => {
            ItemResponse::Letters(forward_scores(model, Forward::causal(tokens), &mut model.new_cache(), picks).await?)
        }
        ItemRequest::Generate { prompt, params } => {
            ItemResponse::Generated(generate(model, tok, prompt, params, aborted, &mut |_| Ok(())).await?)
        }
        ItemRequest::Perplexity { text, params } => {
            ItemResponse::Perplexity(perplexity(model, tok, text, *params, aborted).await?)
        }
    })
}

/// Scores token continuations after `context` as
/// `kaoshi_engine::score_continuations` does, following the same
/// [`ScoringPlan`], with each pass's logits read back asynchronously.
pub(crate) async fn score<B: ReadBack>(
    model: &Model<B>,
    context: &[u32],
    continuations: &[Vec<u32>],
) -> Result<Vec<ContinuationScore>, Error> {
    let plan = ScoringPlan::new(context, continuations).map_err(|e| Error::other(e.to_string()))?;
    let mut ctx_cache = model.new_cache();
    let first = forward_scores(model, Forward::causal(context), &mut ctx_cache, &plan.first_picks).await?;
    let mut got = Vec::with_capacity(plan.batches.len());
    for b in &plan.batches {
        let rows: Vec<usize> = (0..b.tokens.len()).collect();
        let req = Forward::spans(&b.tokens, &b.positions, &b.spans).logit_rows(&rows);
        got.push(forward_scores(model, req, &mut ctx_cache.clone(), &b.picks).await?);
    }
    plan.finish(&first, &got).map_err(|e| Error::other(e.to_string()))
}
