//! Generation and scoring written once for both backends, with the logits
//! read back asynchronously: a browser can only map a WebGPU buffer when
//! control returns to its event loop, so the loop over tokens awaits each
//! read-back instead of blocking in [`kaoshi_model::Backend::download`].
//!
//! They follow `kaoshi_engine::generate` and
//! `kaoshi_engine::score_continuations` step for step (same forward passes,
//! same host reductions in f64), and `tests/native.rs` checks that on the
//! CPU backend they give the engine's results exactly.

use std::future::Future;

use kaoshi_cpu::CpuBackend;
use kaoshi_engine::sampling::{Rng, sample};
use kaoshi_engine::{ContinuationScore, GenerateParams, GenerationOutput, ScoringPlan, StopReason};
use kaoshi_gpu::GpuBackend;
use kaoshi_model::{Backend, KeySpan, KvCache, Model, TokenScore, host_argmax, host_log_prob};
use kaoshi_tokenizer::{StreamDecoder, Tokenizer};

use crate::error::{Error, ErrorKind};
use crate::pace::Pacer;

/// A backend whose tensors can be read back without blocking the thread.
pub(crate) trait ReadBack: Backend {
    /// The values of `x`, row-major.
    fn read(&self, x: &Self::Tensor) -> impl Future<Output = Result<Vec<f32>, Error>>;
}

impl ReadBack for CpuBackend {
    async fn read(&self, x: &Self::Tensor) -> Result<Vec<f32>, Error> {
        Ok(self.download(x)?.data)
    }
}

impl ReadBack for GpuBackend {
    async fn read(&self, x: &Self::Tensor) -> Result<Vec<f32>, Error> {
        Ok(self.device().download_tensor_async(x).await?)
    }
}

/// Runs `tokens` after `cache` (causal attention) and reads back the logits
/// of `rows` (indices into `tokens`), `[rows.len() * vocab]` row-major.
pub(crate) async fn forward_logits<B: ReadBack>(
    model: &Model<B>,
    tokens: &[u32],
    cache: &mut KvCache<B>,
    rows: &[usize],
) -> Result<Vec<f32>, Error> {
    let start = cache.len();
    let positions: Vec<usize> = (start..start + tokens.len()).collect();
    let spans: Vec<KeySpan> = positions.iter().map(|&i| KeySpan::causal(i)).collect();
    forward_read(model, tokens, &positions, &spans, cache, rows).await
}

async fn forward_read<B: ReadBack>(
    model: &Model<B>,
    tokens: &[u32],
    positions: &[usize],
    spans: &[KeySpan],
    cache: &mut KvCache<B>,
    rows: &[usize],
) -> Result<Vec<f32>, Error> {
    match model.forward_device(tokens, positions, spans, cache, None, rows)? {
        Some(logits) => model.backend().read(&logits).await,
        None => Ok(Vec::new()),
    }
}

/// Generates after `prompt` as `kaoshi_engine::generate` does (stop tokens;
/// stop strings are not supported here). `aborted` is asked before each
/// forward pass after the first; when it says so, generation ends with an
/// [`ErrorKind::Abort`] error.
pub(crate) async fn generate<B: ReadBack>(
    model: &Model<B>,
    tok: &Tokenizer,
    prompt: &[u32],
    params: &GenerateParams,
    aborted: &dyn Fn() -> bool,
) -> Result<GenerationOutput, Error> {
    if prompt.is_empty() {
        return Err(Error::other("the prompt has no tokens (not even BOS)"));
    }
    let vocab = model.config().vocab_size;
    let mut rng = Rng::new(params.sampling.seed);
    let mut cache = model.new_cache();
    let mut decoder = StreamDecoder::continuing(tok, prompt.last().copied());
    let mut out = GenerationOutput {
        text: String::new(),
        tokens: vec![],
        prompt_tokens: prompt.len(),
        stop: StopReason::MaxTokens,
    };
    let ctx_max = model.config().context_length;
    let mut pacer = Pacer::new();
    let mut logits = forward_logits(model, prompt, &mut cache, &[prompt.len() - 1]).await?;
    for _ in 0..params.max_tokens {
        if logits.len() != vocab {
            return Err(Error::other(format!("read back {} logits for a vocabulary of {vocab}", logits.len())));
        }
        let next = sample(&logits, &params.sampling, &mut rng);
        if params.stop_ids.contains(&next) {
            out.stop = StopReason::StopToken;
            break;
        }
        out.tokens.push(next);
        out.text.push_str(&decoder.push(next)?);
        if cache.len() >= ctx_max {
            out.stop = StopReason::ContextFull;
            break;
        }
        pacer.pause().await;
        if aborted() {
            return Err(Error::new(ErrorKind::Abort, "generation was aborted"));
        }
        logits = forward_logits(model, &[next], &mut cache, &[0]).await?;
    }
    out.text.push_str(&decoder.finish());
    Ok(out)
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
    let vocab = model.config().vocab_size;
    let mut ctx_cache = model.new_cache();
    let first = forward_logits(model, context, &mut ctx_cache, &[context.len() - 1]).await?;
    let first = picks(&first, vocab, &plan.first_picks)?;
    let mut got = Vec::with_capacity(plan.batches.len());
    for b in &plan.batches {
        let mut cache = ctx_cache.clone();
        let rows: Vec<usize> = (0..b.tokens.len()).collect();
        let logits = forward_read(model, &b.tokens, &b.positions, &b.spans, &mut cache, &rows).await?;
        got.push(picks(&logits, vocab, &b.picks)?);
    }
    plan.finish(&first, &got).map_err(|e| Error::other(e.to_string()))
}

/// The scores of `(row, token)` picks on read-back logits.
fn picks(logits: &[f32], vocab: usize, picks: &[(usize, u32)]) -> Result<Vec<TokenScore>, Error> {
    picks
        .iter()
        .map(|&(row, token)| {
            let (log_prob, is_argmax) = pick(logits, vocab, row, token)?;
            Ok(TokenScore { log_prob, is_argmax })
        })
        .collect()
}

/// The log-probability of `token` under row `row` of `logits`, and whether
/// it is that row's argmax.
fn pick(logits: &[f32], vocab: usize, row: usize, token: u32) -> Result<(f64, bool), Error> {
    let r = logits
        .get(row * vocab..(row + 1) * vocab)
        .ok_or_else(|| Error::other(format!("logits row {row} was not read back")))?;
    if token as usize >= vocab {
        return Err(Error::other(format!("token id {token} is outside the vocabulary of {vocab} tokens")));
    }
    Ok((host_log_prob(r, token as usize), host_argmax(r) == token as usize))
}
