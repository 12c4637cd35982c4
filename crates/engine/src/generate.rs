//! Text generation: greedy or sampled, streaming, with stop tokens and
//! stop strings.

use kaoshi_model::{Backend, Forward, HookSet, KvCache, Model, ModelError};
use kaoshi_tokenizer::{StreamDecoder, Tokenizer};
use serde::Serialize;

use crate::error::EngineError;
use crate::sampling::{Rng, SamplingParams, sample, sample_candidates};

/// Generation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateParams {
    /// Most tokens to generate.
    pub max_tokens: usize,
    /// How to pick each token.
    pub sampling: SamplingParams,
    /// Stop when one of these tokens is produced (it is not emitted).
    pub stop_ids: Vec<u32>,
    /// Stop when the text contains one of these; the text is cut before it.
    pub stop_strings: Vec<String>,
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// `max_tokens` reached.
    MaxTokens,
    /// A stop token was produced.
    StopToken,
    /// A stop string appeared.
    StopString,
    /// The model's context is full.
    ContextFull,
    /// The callback asked to stop.
    Cancelled,
}

/// What generation produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenerationOutput {
    /// The generated text (stop string excluded).
    pub text: String,
    /// The generated token ids (stop token excluded).
    pub tokens: Vec<u32>,
    /// Prompt length in tokens.
    pub prompt_tokens: usize,
    /// Why it stopped.
    pub stop: StopReason,
}

/// Generates after `prompt` (token ids, BOS included if wanted), calling
/// `on_text` with each new piece of text as soon as it is complete UTF-8 and
/// cannot be the start of a stop string. `on_text` returns `false` to stop.
pub fn generate<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    prompt: &[u32],
    params: &GenerateParams,
    hooks: Option<&HookSet>,
    on_text: &mut dyn FnMut(&str) -> bool,
) -> Result<GenerationOutput, EngineError> {
    let mut decoding = Decoding::new(tok, prompt, params)?;
    if !decoding.wants_more() {
        return Ok(decoding.finish(on_text));
    }
    let mut rng = Rng::new(params.sampling.seed);
    let mut cache = model.new_cache();
    let ctx_max = model.config().context_length;
    let mut next = next_token(model, prompt, &mut cache, hooks, &params.sampling, &mut rng)?;
    while decoding.push(next, on_text)? {
        if cache.len() >= ctx_max {
            decoding.context_full();
            break;
        }
        next = next_token(model, &[next], &mut cache, hooks, &params.sampling, &mut rng)?;
    }
    Ok(decoding.finish(on_text))
}

/// The text side of generation, apart from the forward passes, so that a
/// synchronous loop ([`generate`]) and an asynchronous one (the browser
/// awaits each read-back) end generation the same way: it takes each picked
/// token, decodes it, holds back text that may begin a stop string, and says
/// when to stop (stop token, stop string, `max_tokens`, or the callback).
pub struct Decoding<'a> {
    params: &'a GenerateParams,
    decoder: StreamDecoder<'a>,
    /// Text decoded but held back because it may begin a stop string.
    held: String,
    out: GenerationOutput,
    /// Set when a stop string or the callback ended generation: nothing
    /// more is emitted.
    closed: bool,
}

impl<'a> Decoding<'a> {
    /// Starts decoding after `prompt` (which must have a token: at least BOS).
    pub fn new(tok: &'a Tokenizer, prompt: &[u32], params: &'a GenerateParams) -> Result<Self, EngineError> {
        if prompt.is_empty() {
            return Err(EngineError::BadRequest("the prompt has no tokens (not even BOS)".into()));
        }
        Ok(Self {
            params,
            decoder: StreamDecoder::continuing(tok, prompt.last().copied()),
            held: String::new(),
            out: GenerationOutput {
                text: String::new(),
                tokens: vec![],
                prompt_tokens: prompt.len(),
                stop: StopReason::MaxTokens,
            },
            closed: false,
        })
    }

    /// Whether another token is wanted (`max_tokens` not reached).
    pub fn wants_more(&self) -> bool {
        self.out.tokens.len() < self.params.max_tokens
    }

    /// Takes the next picked token, hands `on_text` what became safe to
    /// show, and returns whether to go on.
    pub fn push(&mut self, token: u32, on_text: &mut dyn FnMut(&str) -> bool) -> Result<bool, EngineError> {
        if self.params.stop_ids.contains(&token) {
            self.out.stop = StopReason::StopToken;
            return Ok(false);
        }
        self.out.tokens.push(token);
        self.held.push_str(&self.decoder.push(token)?);
        let stops = &self.params.stop_strings;
        if let Some(cut) = find_stop(&self.held, stops) {
            self.held.truncate(cut);
            let n = self.held.len();
            emit(&mut self.out.text, &mut self.held, n, on_text);
            self.out.stop = StopReason::StopString;
            self.closed = true;
            return Ok(false);
        }
        let safe = self.held.len() - longest_stop_prefix_suffix(&self.held, stops);
        if !emit(&mut self.out.text, &mut self.held, safe, on_text) {
            self.out.stop = StopReason::Cancelled;
            self.closed = true;
            return Ok(false);
        }
        Ok(self.wants_more())
    }

    /// Records that the model's context is full (generation ends).
    pub fn context_full(&mut self) {
        self.out.stop = StopReason::ContextFull;
    }

    /// Ends generation: the held-back text (unless a stop string or the
    /// callback ended it) goes to `on_text`; returns the output.
    pub fn finish(mut self, on_text: &mut dyn FnMut(&str) -> bool) -> GenerationOutput {
        if !self.closed {
            self.held.push_str(&self.decoder.finish());
            let n = self.held.len();
            emit(&mut self.out.text, &mut self.held, n, on_text);
        }
        self.out
    }
}

/// Runs `tokens` after `cache` and picks the next token from the last row:
/// greedy decoding reduces on the backend (one index read back), top-k
/// sampling asks the backend for the `top_k` candidates (`2 top_k` numbers
/// read back from a GPU), sampling without top-k reads the row.
pub fn next_token<B: Backend>(
    model: &Model<B>,
    tokens: &[u32],
    cache: &mut KvCache<B>,
    hooks: Option<&HookSet>,
    sampling: &SamplingParams,
    rng: &mut Rng,
) -> Result<u32, EngineError> {
    let out = model.run(Forward::causal(tokens).hooks(hooks), cache)?;
    let logits = out.logits.into_single().ok_or_else(|| EngineError::BadRequest("no logits row".into()))?;
    let b = model.backend();
    if sampling.temperature <= 0.0 {
        let ids = b.argmax_rows(&logits).map_err(ModelError::from)?;
        return ids.first().copied().ok_or_else(|| EngineError::BadRequest("no logits row".into()));
    }
    if sampling.top_k > 0 {
        let rows = b.top_k_rows(&logits, sampling.top_k).map_err(ModelError::from)?;
        let candidates = rows.first().ok_or_else(|| EngineError::BadRequest("no logits row".into()))?;
        return Ok(sample_candidates(candidates, sampling, rng));
    }
    Ok(sample(b.download(&logits).map_err(ModelError::from)?.row(0), sampling, rng))
}

/// Moves the first `n` bytes of `held` to `text` and the callback.
fn emit(text: &mut String, held: &mut String, n: usize, on_text: &mut dyn FnMut(&str) -> bool) -> bool {
    if n == 0 {
        return true;
    }
    let piece: String = held.drain(..n).collect();
    text.push_str(&piece);
    on_text(&piece)
}

/// Byte offset of the earliest stop string in `s`.
fn find_stop(s: &str, stops: &[String]) -> Option<usize> {
    stops.iter().filter(|p| !p.is_empty()).filter_map(|p| s.find(p.as_str())).min()
}

/// Length of the longest suffix of `s` that is a proper prefix of a stop string.
fn longest_stop_prefix_suffix(s: &str, stops: &[String]) -> usize {
    let mut best = 0;
    for stop in stops {
        for (i, _) in stop.char_indices().skip(1) {
            if s.ends_with(&stop[..i]) {
                best = best.max(i);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_prefixes_are_held_back() {
        let stops = vec!["\n\nQ:".to_string()];
        assert_eq!(longest_stop_prefix_suffix("answer\n", &stops), 1);
        assert_eq!(longest_stop_prefix_suffix("answer\n\nQ", &stops), 3);
        assert_eq!(longest_stop_prefix_suffix("answer", &stops), 0);
        assert_eq!(find_stop("a\n\nQ: b", &stops), Some(1));
    }
}
