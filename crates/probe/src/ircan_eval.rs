//! IRCAN's evaluation (released code `3_enhance_and_evaluate.py`), forward
//! passes only, on any backend: [`evaluate`] answers each
//! [`IrcanItem`] with the model as it is, so the neuron reweighting is
//! whatever `kaoshi_model::Steering` the caller set (`Model::set_steering`).
//!
//! - MemoTrap: greedy decoding from the prompt with context, 10 new tokens
//!   (20 with context-aware decoding, the released code's CAD loop); the
//!   prediction is the continuation's first sentence (Python's
//!   `text.strip().split('.')[0]`), right when it equals the answer, a trap
//!   when it equals the other ending.
//! - COSE, ECARE: one pass on the prompt with context; the prediction is
//!   the option letter whose first token has the largest logit at the last
//!   position (each letter's token as `kaoshi score` splits "...Answer: " +
//!   "A", see [`crate::ircan_data::option_tokens`]); accuracy counts the
//!   context-consistent letter, the trap rate ("stubbornness") the memory's.
//!
//! Context-aware decoding (CAD, Shi et al. 2023, as in the released code):
//! the logits are `(1 + alpha) * with - alpha * without`, `without` from the
//! prompt without the context, both prompts extended by the chosen tokens.

use kaoshi_model::{Backend, Forward, KvCache, Model};
use kaoshi_tokenizer::{StreamDecoder, Tokenizer};
use serde::Serialize;

use crate::error::ProbeError;
use crate::ircan_data::{IrcanItem, IrcanTask, option_tokens};

/// New tokens of a MemoTrap completion without CAD (`max_new_tokens=10`).
pub const MEMOTRAP_TOKENS: usize = 10;
/// New tokens of a MemoTrap completion with CAD (the CAD loop's `max_length = 20`).
pub const MEMOTRAP_CAD_TOKENS: usize = 20;

/// One item's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prediction {
    /// The item's id.
    pub id: usize,
    /// The predicted ending or option letter.
    pub predicted: String,
    /// The decoded continuation (MemoTrap; empty for multiple choice).
    pub text: String,
    /// `predicted` is the context-consistent answer.
    pub correct: bool,
    /// `predicted` is the memory answer.
    pub trap: bool,
}

/// The metrics over the items, and each item's prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalResult {
    /// Items evaluated.
    pub n: usize,
    /// Share of predictions equal to the context-consistent answer.
    pub accuracy: f64,
    /// Share of predictions equal to the memory answer.
    pub trap_rate: f64,
    /// One per item, in order.
    pub predictions: Vec<Prediction>,
}

/// Evaluates `items` of `task` with the model as steered now; `cad` is
/// CAD's alpha (0.5 in the papers), `None` for plain greedy decoding;
/// `progress(done, total)` after each item.
pub fn evaluate<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    items: &[IrcanItem],
    task: IrcanTask,
    cad: Option<f32>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<EvalResult, ProbeError> {
    if items.is_empty() {
        return Err(ProbeError::Options("no items to evaluate".into()));
    }
    if let Some(a) = cad.filter(|a| !a.is_finite()) {
        return Err(ProbeError::Options(format!("CAD alpha {a} is not a finite number")));
    }
    let mut predictions = Vec::with_capacity(items.len());
    for (k, item) in items.iter().enumerate() {
        let (predicted, text) = if task.is_mcq() {
            (choose(model, tok, item, cad)?, String::new())
        } else {
            let text = complete(model, tok, item, cad)?;
            (first_sentence(&text).to_string(), text)
        };
        let correct = predicted == item.answer;
        let trap = predicted == item.trap;
        predictions.push(Prediction { id: item.id, predicted, text, correct, trap });
        progress(k + 1, items.len());
    }
    let n = predictions.len();
    let share = |f: fn(&Prediction) -> bool| predictions.iter().filter(|p| f(p)).count() as f64 / n as f64;
    Ok(EvalResult { n, accuracy: share(|p| p.correct), trap_rate: share(|p| p.trap), predictions })
}

/// Python's `text.strip().split('.')[0]`.
fn first_sentence(text: &str) -> &str {
    let t = text.trim();
    t.split('.').next().unwrap_or(t)
}

/// The logits of the last row after running `tokens` through `cache`.
fn last_logits<B: Backend>(model: &Model<B>, tokens: &[u32], cache: &mut KvCache<B>) -> Result<Vec<f32>, ProbeError> {
    let out = model.run(Forward::causal(tokens), cache)?;
    let host = out.logits.to_host(model.backend(), model.config().vocab_size)?;
    Ok(host.row(0).to_vec())
}

/// `(1 + alpha) * with - alpha * without`, in place in `with`.
fn mix(with: &mut [f32], without: &[f32], alpha: f32) {
    for (w, wo) in with.iter_mut().zip(without) {
        *w = (1.0 + alpha) * *w - alpha * wo;
    }
}

/// MemoTrap: the greedy continuation of the prompt with context. It stops
/// at an end token, at the length limit, and as soon as the text holds a
/// '.': the prediction is what comes before the first '.', which later
/// tokens cannot change.
fn complete<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    item: &IrcanItem,
    cad: Option<f32>,
) -> Result<String, ProbeError> {
    let limit = if cad.is_some() { MEMOTRAP_CAD_TOKENS } else { MEMOTRAP_TOKENS };
    let with = tok.encode(&item.with_context, true, false)?;
    let without = match cad {
        Some(_) => tok.encode(&item.without_context, true, false)?,
        None => Vec::new(),
    };
    let stops = tok.stop_ids();
    let ctx_max = model.config().context_length;
    let (mut cache_w, mut cache_wo) = (model.new_cache(), model.new_cache());
    let mut decoder = StreamDecoder::continuing(tok, with.last().copied());
    let mut text = String::new();
    let (mut feed_w, mut feed_wo) = (with, without);
    for _ in 0..limit {
        if cache_w.len() + feed_w.len() > ctx_max || cache_wo.len() + feed_wo.len() > ctx_max {
            break;
        }
        let next = match cad {
            None => {
                let out = model.run(Forward::causal(&feed_w), &mut cache_w)?;
                let logits = out.logits.into_single().ok_or_else(|| ProbeError::Data("no logits row".into()))?;
                let ids = model.backend().argmax_rows(&logits)?;
                ids.first().copied().ok_or_else(|| ProbeError::Data("no logits row".into()))?
            }
            Some(alpha) => {
                let mut w = last_logits(model, &feed_w, &mut cache_w)?;
                let wo = last_logits(model, &feed_wo, &mut cache_wo)?;
                mix(&mut w, &wo, alpha);
                kaoshi_model::host_argmax(&w) as u32
            }
        };
        if stops.contains(&next) {
            break;
        }
        text.push_str(&decoder.push(next)?);
        if text.contains('.') {
            break;
        }
        feed_w = vec![next];
        feed_wo = vec![next];
    }
    text.push_str(&decoder.finish());
    Ok(text)
}

/// COSE/ECARE: the option letter with the largest (mixed) logit; ties go
/// to the earlier letter, as `torch.argmax` does.
fn choose<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    item: &IrcanItem,
    cad: Option<f32>,
) -> Result<String, ProbeError> {
    let (prompt, ids) = option_tokens(tok, &item.with_context, &item.choices)?;
    let mut logits = last_logits(model, &prompt, &mut model.new_cache())?;
    if let Some(alpha) = cad {
        let (prompt_wo, ids_wo) = option_tokens(tok, &item.without_context, &item.choices)?;
        if ids_wo != ids {
            return Err(ProbeError::Data(format!(
                "item {}: the option letters start with other tokens after the prompt without context",
                item.id
            )));
        }
        let wo = last_logits(model, &prompt_wo, &mut model.new_cache())?;
        mix(&mut logits, &wo, alpha);
    }
    let mut best = 0;
    for (k, &id) in ids.iter().enumerate() {
        if logits[id as usize] > logits[ids[best] as usize] {
            best = k;
        }
    }
    Ok(item.choices[best].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_is_pythons_strip_split() {
        assert_eq!(first_sentence(" kings. And"), "kings");
        assert_eq!(first_sentence("  masters and more"), "masters and more");
        assert_eq!(first_sentence(" . x"), "");
        assert_eq!(first_sentence(""), "");
        assert_eq!(first_sentence("\n in't.\n"), "in't");
    }

    #[test]
    fn cad_mixes_the_logits() {
        let mut w = vec![1.0, 4.0, -2.0];
        mix(&mut w, &[3.0, 0.0, -2.0], 0.5);
        assert_eq!(w, vec![0.0, 6.0, -2.0]);
        let mut same = vec![1.5, -0.25];
        mix(&mut same, &[7.0, 9.0], 0.0);
        assert_eq!(same, vec![1.5, -0.25]);
    }
}
