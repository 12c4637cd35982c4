//! One item's prompt as a request to the model ([`Planner::plan`]), its
//! answer ([`run_request`] here, asynchronously in the browser) and the
//! scored record ([`Planner::finish`]).

use kaoshi_engine::{
    ContinuationScore, GenerateParams, GenerationOutput, PerplexityParams, PerplexityReport, SamplingParams, generate,
    perplexity, score_continuations,
};
use kaoshi_eval::extract::{Extractor, extract, gaokao_credit, numbers_match};
use kaoshi_eval::{Answer, Item, Mode, Prompt, Suite};
use kaoshi_model::{Backend, Forward, Model, ModelError, TokenScore};
use kaoshi_tokenizer::Tokenizer;

use crate::encode::PromptEncoder;
use crate::error::HarnessError;
use crate::record::SampleRecord;

/// Letters for option indices.
pub(crate) fn letter(i: usize) -> String {
    char::from(b'A' + (i % 26) as u8).to_string()
}

fn argmax(v: &[f64]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, x) in v.iter().enumerate() {
        if best.is_none_or(|b| *x > v[b]) {
            best = Some(i);
        }
    }
    best
}

/// Whether a predicted option index answers the item.
fn choice_correct(answer: &Answer, pred: Option<usize>) -> Option<bool> {
    match answer {
        Answer::Choice(g) => Some(pred == Some(*g)),
        // A single pick is right only for a one-answer set.
        Answer::Choices(set) => Some(set.len() == 1 && pred == set.first().copied()),
        _ => None,
    }
}

fn text_correct(answer: &Answer, extractor: &Extractor, extracted: Option<&str>) -> Option<bool> {
    let e = extracted?;
    match (answer, extractor) {
        (_, Extractor::Gaokao { question_type, .. }) => Some(gaokao_credit(*question_type, answer, Some(e)) >= 1.0),
        (Answer::Choice(_) | Answer::Choices(_), Extractor::Letter { .. }) => {
            let idx = e.chars().next().map(|c| (c as u8).wrapping_sub(b'A') as usize);
            choice_correct(answer, idx)
        }
        // CMATH's rule: equal integers, else 1% relative difference.
        (Answer::Number(g), _) => Some(numbers_match(e.parse().ok()?, *g)),
        _ => None,
    }
}

/// Partial credit for extractors scored with it (GAOKAO-Bench's rules,
/// [`kaoshi_eval::extract::gaokao`]); `None` for all-or-nothing scoring.
fn text_credit(answer: &Answer, extractor: &Extractor, extracted: Option<&str>) -> Option<f64> {
    match extractor {
        Extractor::Gaokao { question_type, .. } => Some(gaokao_credit(*question_type, answer, extracted)),
        _ => None,
    }
}

/// What one item asks of the model, planned without it; [`run_request`]
/// answers it synchronously, the browser's runner asynchronously, and
/// [`Planner::finish`] scores the answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemRequest {
    /// Log-likelihood of each continuation after the context.
    Choices {
        /// The context's tokens.
        context: Vec<u32>,
        /// Each option's tokens.
        continuations: Vec<Vec<u32>>,
        /// Each option's length in characters (for `acc_norm`).
        chars: Vec<usize>,
    },
    /// Log-probabilities of the letters as the next token after `tokens`
    /// (one causal pass, the last row).
    Letters {
        /// The prompt's tokens.
        tokens: Vec<u32>,
        /// `(0, letter token)` per option.
        picks: Vec<(usize, u32)>,
    },
    /// Greedy generation after `prompt`.
    Generate {
        /// The prompt's tokens.
        prompt: Vec<u32>,
        /// Limits and stops.
        params: GenerateParams,
    },
    /// Rolling perplexity of a text.
    Perplexity {
        /// The text.
        text: String,
        /// The windows.
        params: PerplexityParams,
    },
}

/// The model's answer to an [`ItemRequest`], of the same kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemResponse {
    /// One score per continuation.
    Choices(Vec<ContinuationScore>),
    /// One score per letter.
    Letters(Vec<TokenScore>),
    /// The generated text.
    Generated(GenerationOutput),
    /// The perplexity report.
    Perplexity(PerplexityReport),
}

/// Answers `req` on `model`, synchronously.
pub fn run_request<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    req: &ItemRequest,
) -> Result<ItemResponse, HarnessError> {
    Ok(match req {
        ItemRequest::Choices { context, continuations, .. } => {
            ItemResponse::Choices(score_continuations(model, context, continuations, None)?)
        }
        ItemRequest::Letters { tokens, picks } => {
            let out = model.run(Forward::causal(tokens), &mut model.new_cache())?;
            let logits = out.logits.into_single().ok_or_else(|| HarnessError::Item("no logits row".into()))?;
            // The letters' log-probabilities, reduced where the logits are
            // (on a GPU, four numbers are read back, not the vocabulary).
            ItemResponse::Letters(model.backend().token_scores(&logits, picks).map_err(ModelError::from)?)
        }
        ItemRequest::Generate { prompt, params } => {
            ItemResponse::Generated(generate(model, tok, prompt, params, None, &mut |_| true)?)
        }
        ItemRequest::Perplexity { text, params } => {
            ItemResponse::Perplexity(perplexity(model, tok, text, *params, &mut |_, _| {})?)
        }
    })
}

fn mismatch() -> HarnessError {
    HarnessError::Item("the model's answer does not match the item's request".into())
}

/// Turns items of one task into [`ItemRequest`]s and answers into records.
pub struct Planner<'a> {
    /// The model's tokenizer.
    pub tok: &'a Tokenizer,
    /// Renders and encodes prompts.
    pub encoder: &'a PromptEncoder<'a>,
    /// The suite, for its per-item [`Suite::extractor`].
    pub suite: &'a dyn Suite,
    /// Window for perplexity items, in tokens.
    pub ppl_window: usize,
    /// The model's context length in tokens.
    pub context_length: usize,
}

impl Planner<'_> {
    /// Cuts `ids` from the left to at most `room` tokens (keeping a leading
    /// BOS), as lm-evaluation-harness truncates contexts that do not fit; the
    /// number of dropped tokens is recorded in the sample's fields.
    fn fit(&self, ids: Vec<u32>, room: usize, rec: &mut SampleRecord) -> Result<Vec<u32>, HarnessError> {
        if ids.len() <= room {
            return Ok(ids);
        }
        let bos = self.tok.bos_id().filter(|b| ids.first() == Some(b));
        let keep = room.saturating_sub(usize::from(bos.is_some()));
        if keep == 0 {
            return Err(HarnessError::Item(format!(
                "item {}: no room for the prompt in the model's context of {} tokens",
                rec.doc_id, self.context_length
            )));
        }
        let dropped = ids.len() - usize::from(bos.is_some()) - keep;
        let mut out: Vec<u32> = bos.into_iter().collect();
        out.extend_from_slice(&ids[ids.len() - keep..]);
        rec.fields.insert("truncated_prompt_tokens".into(), dropped.to_string());
        Ok(out)
    }

    /// The item's record so far (prompt rendered, nothing scored) and what
    /// it asks of the model.
    pub fn plan(
        &self,
        task: &str,
        item: &Item,
        mode: Mode,
        prompt: &Prompt,
    ) -> Result<(SampleRecord, ItemRequest), HarnessError> {
        let mut rec = SampleRecord::new(task, item, mode);
        let ctx = self.context_length;
        let req = match prompt {
            Prompt::Choices { context, continuations } => {
                let rendered = self.encoder.render(context)?;
                let mut ctx_ids = Vec::new();
                let mut conts = Vec::with_capacity(continuations.len());
                for c in continuations {
                    let (x, cont) = self.encoder.encode_pair(&rendered, c)?;
                    ctx_ids = x;
                    conts.push(cont);
                }
                let longest = conts.iter().map(Vec::len).max().unwrap_or(0);
                let context = self.fit(ctx_ids, ctx.saturating_sub(longest), &mut rec)?;
                rec.prompt = rendered;
                let chars = continuations.iter().map(|c| c.chars().count()).collect();
                ItemRequest::Choices { context, continuations: conts, chars }
            }
            Prompt::Letters { context, letters } => {
                let rendered = self.encoder.render(context)?;
                let tokens = self.fit(self.encoder.encode(&rendered)?, ctx, &mut rec)?;
                if tokens.is_empty() {
                    return Err(HarnessError::Item("empty prompt".into()));
                }
                let picks = letters
                    .iter()
                    .map(|l| Ok((0, self.encoder.letter_id(l)?)))
                    .collect::<Result<Vec<_>, HarnessError>>()?;
                rec.prompt = rendered;
                ItemRequest::Letters { tokens, picks }
            }
            Prompt::Generate { prompt, stop, max_tokens } => {
                let rendered = self.encoder.render(prompt)?;
                let prompt = self.fit(self.encoder.encode(&rendered)?, ctx - (*max_tokens).min(ctx / 2), &mut rec)?;
                rec.prompt = rendered;
                let params = GenerateParams {
                    max_tokens: *max_tokens,
                    sampling: SamplingParams::default(),
                    stop_ids: self.tok.stop_ids(),
                    stop_strings: stop.clone(),
                };
                ItemRequest::Generate { prompt, params }
            }
            Prompt::Perplexity { text } => {
                let window = self.ppl_window.min(ctx - 1).max(2);
                rec.prompt = text.clone();
                let params = PerplexityParams { ctx: window, stride: (window / 2).max(1) };
                ItemRequest::Perplexity { text: text.clone(), params }
            }
        };
        Ok((rec, req))
    }

    /// Scores `resp`, the answer to `req`, into `rec`.
    pub fn finish(
        &self,
        item: &Item,
        mut rec: SampleRecord,
        req: &ItemRequest,
        resp: ItemResponse,
    ) -> Result<SampleRecord, HarnessError> {
        match (req, resp) {
            (ItemRequest::Choices { chars, .. }, ItemResponse::Choices(scores)) => {
                if scores.len() != chars.len() {
                    return Err(mismatch());
                }
                let lps: Vec<f64> = scores.iter().map(|s| s.logprob).collect();
                let norm: Vec<f64> = lps.iter().zip(chars).map(|(lp, n)| lp / (*n).max(1) as f64).collect();
                let (pred, pred_norm) = (argmax(&lps), argmax(&norm));
                rec.prediction = pred.map(letter);
                rec.prediction_norm = pred_norm.map(letter);
                rec.correct = choice_correct(&item.answer, pred);
                rec.correct_norm = choice_correct(&item.answer, pred_norm);
                rec.is_greedy = Some(scores.iter().map(|s| s.is_greedy).collect());
                rec.logprobs = Some(lps);
            }
            (ItemRequest::Letters { picks, .. }, ItemResponse::Letters(scores)) => {
                if scores.len() != picks.len() {
                    return Err(mismatch());
                }
                let lps: Vec<f64> = scores.iter().map(|s| s.log_prob).collect();
                let pred = argmax(&lps);
                rec.prediction = pred.map(letter);
                rec.correct = choice_correct(&item.answer, pred);
                rec.logprobs = Some(lps);
            }
            (ItemRequest::Generate { .. }, ItemResponse::Generated(out)) => {
                let extractor = self.suite.extractor(item);
                let extracted = extract(&extractor, &out.text);
                rec.correct = match &item.answer {
                    Answer::Text(_) | Answer::None => None,
                    _ => Some(text_correct(&item.answer, &extractor, extracted.as_deref()).unwrap_or(false)),
                };
                rec.credit = text_credit(&item.answer, &extractor, extracted.as_deref());
                rec.prediction = extracted;
                rec.generated = Some(out.text);
            }
            (ItemRequest::Perplexity { text, .. }, ItemResponse::Perplexity(r)) => {
                rec.nll = Some(r.nll);
                rec.n_tokens = Some(r.n_tokens);
                rec.n_bytes = Some(r.n_bytes);
                rec.n_chars = Some(text.chars().count());
            }
            _ => return Err(mismatch()),
        }
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaoshi_eval::extract::GaokaoType;

    /// The generate-mode scoring path for a GAOKAO-Bench multi-select item:
    /// the exact set scores 1 (and is correct), a correct subset ½
    /// (Bench/OBJ_score_evaluation.py), a wrong letter 0.
    #[test]
    fn gaokao_multi_choice_credit() {
        let gold = Answer::Choices(vec![1, 3]);
        let ex = Extractor::Gaokao { question_type: GaokaoType::MultiChoice, n_answers: 1 };
        let score = |out: &str| {
            let e = extract(&ex, out);
            (text_correct(&gold, &ex, e.as_deref()), text_credit(&gold, &ex, e.as_deref()))
        };
        assert_eq!(score("【解析】……<eoe>\n【答案】 BD <eoa>"), (Some(true), Some(1.0)));
        assert_eq!(score("【解析】……<eoe>\n【答案】 D <eoa>"), (Some(false), Some(0.5)));
        assert_eq!(score("【解析】……<eoe>\n【答案】 ABD <eoa>"), (Some(false), Some(0.0)));
        assert_eq!(score("【解析】……<eoe>"), (None, Some(0.0)));
        // Other extractors score all or nothing, with no credit recorded.
        let letter = Extractor::Letter { n_choices: 4 };
        assert_eq!(text_correct(&Answer::Choice(1), &letter, Some("B")), Some(true));
        assert_eq!(text_credit(&Answer::Choice(1), &letter, Some("B")), None);
    }
}
