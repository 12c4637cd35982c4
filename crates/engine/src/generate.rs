//! Text generation: greedy or sampled, streaming, with stop tokens and
//! stop strings.

use kaoshi_model::{Backend, HookSet, Model, ModelError};
use kaoshi_tokenizer::{StreamDecoder, Tokenizer};
use serde::Serialize;

use crate::error::EngineError;
use crate::sampling::{Rng, SamplingParams, sample};

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
    mut hooks: Option<&mut HookSet>,
    on_text: &mut dyn FnMut(&str) -> bool,
) -> Result<GenerationOutput, EngineError> {
    if prompt.is_empty() {
        return Err(EngineError::BadRequest("the prompt has no tokens (not even BOS)".into()));
    }
    let mut rng = Rng::new(params.sampling.seed);
    let mut cache = model.new_cache();
    let mut decoder = StreamDecoder::continuing(tok, prompt.last().copied());
    let mut out = GenerationOutput {
        text: String::new(),
        tokens: vec![],
        prompt_tokens: prompt.len(),
        stop: StopReason::MaxTokens,
    };
    // Text decoded but held back because it may begin a stop string.
    let mut held = String::new();
    let ctx_max = model.config().context_length;
    let mut next = next_token(model, prompt, &mut cache, hooks.as_deref_mut(), &params.sampling, &mut rng)?;
    for _ in 0..params.max_tokens {
        if params.stop_ids.contains(&next) {
            out.stop = StopReason::StopToken;
            break;
        }
        out.tokens.push(next);
        held.push_str(&decoder.push(next)?);
        if let Some(cut) = find_stop(&held, &params.stop_strings) {
            held.truncate(cut);
            let n = held.len();
            emit(&mut out.text, &mut held, n, on_text);
            out.stop = StopReason::StopString;
            return Ok(out);
        }
        let safe = held.len() - longest_stop_prefix_suffix(&held, &params.stop_strings);
        if !emit(&mut out.text, &mut held, safe, on_text) {
            out.stop = StopReason::Cancelled;
            return Ok(out);
        }
        if cache.len() >= ctx_max {
            out.stop = StopReason::ContextFull;
            break;
        }
        next = next_token(model, &[next], &mut cache, hooks.as_deref_mut(), &params.sampling, &mut rng)?;
    }
    held.push_str(&decoder.finish());
    let n = held.len();
    emit(&mut out.text, &mut held, n, on_text);
    Ok(out)
}

/// Runs `tokens` after `cache` and picks the next token from the last row:
/// greedy decoding reduces on the backend (one index read back), sampling
/// reads the row.
pub fn next_token<B: Backend>(
    model: &Model<B>,
    tokens: &[u32],
    cache: &mut kaoshi_model::KvCache<B>,
    hooks: Option<&mut HookSet>,
    sampling: &SamplingParams,
    rng: &mut Rng,
) -> Result<u32, EngineError> {
    let logits = model
        .forward_causal_device(tokens, cache, hooks, &[tokens.len() - 1])?
        .ok_or_else(|| EngineError::BadRequest("no logits row".into()))?;
    let b = model.backend();
    if sampling.temperature <= 0.0 {
        let ids = b.argmax_rows(&logits).map_err(ModelError::from)?;
        return ids.first().copied().ok_or_else(|| EngineError::BadRequest("no logits row".into()));
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
