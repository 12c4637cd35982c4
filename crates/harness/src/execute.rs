//! Running one item's prompt through the engine.

use kaoshi_engine::{
    GenerateParams, PerplexityParams, SamplingParams, generate, log_softmax, perplexity, score_continuations,
};
use kaoshi_eval::extract::{Extractor, extract, numbers_match};
use kaoshi_eval::{Answer, Item, Mode, Prompt};
use kaoshi_model::{Backend, Model};
use kaoshi_tokenizer::Tokenizer;

use crate::encode::PromptEncoder;
use crate::record::SampleRecord;
use crate::run::HarnessError;

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
        (Answer::Choice(_) | Answer::Choices(_), Extractor::Letter { .. }) => {
            let idx = e.chars().next().map(|c| (c as u8).wrapping_sub(b'A') as usize);
            choice_correct(answer, idx)
        }
        // CMATH's rule: equal integers, else 1% relative difference.
        (Answer::Number(g), _) => Some(numbers_match(e.parse().ok()?, *g)),
        _ => None,
    }
}

/// Everything needed to run items of one task.
pub(crate) struct Executor<'a, B: Backend> {
    pub model: &'a Model<B>,
    pub tok: &'a Tokenizer,
    pub encoder: &'a PromptEncoder<'a>,
    pub extractor: Extractor,
    pub ppl_window: usize,
}

impl<B: Backend> Executor<'_, B> {
    pub fn run(&self, task: &str, item: &Item, mode: Mode, prompt: &Prompt) -> Result<SampleRecord, HarnessError> {
        let mut rec = SampleRecord {
            task: task.to_string(),
            doc_id: item.id.clone(),
            subject: item.subject.clone(),
            mode,
            prompt: String::new(),
            choices: item.choices.clone(),
            logprobs: None,
            is_greedy: None,
            generated: None,
            prediction: None,
            prediction_norm: None,
            gold: item.answer.clone(),
            correct: None,
            correct_norm: None,
            nll: None,
            n_tokens: None,
            n_bytes: None,
            n_chars: None,
            fields: item.fields.clone(),
        };
        match prompt {
            Prompt::Choices { context, continuations } => {
                let rendered = self.encoder.render(context)?;
                let mut ctx_ids = Vec::new();
                let mut conts = Vec::with_capacity(continuations.len());
                for c in continuations {
                    let (ctx, cont) = self.encoder.encode_pair(&rendered, c)?;
                    ctx_ids = ctx;
                    conts.push(cont);
                }
                let scores = score_continuations(self.model, &ctx_ids, &conts, None)?;
                let lps: Vec<f64> = scores.iter().map(|s| s.logprob).collect();
                let norm: Vec<f64> =
                    lps.iter().zip(continuations).map(|(lp, c)| lp / c.chars().count().max(1) as f64).collect();
                let (pred, pred_norm) = (argmax(&lps), argmax(&norm));
                rec.prediction = pred.map(letter);
                rec.prediction_norm = pred_norm.map(letter);
                rec.correct = choice_correct(&item.answer, pred);
                rec.correct_norm = choice_correct(&item.answer, pred_norm);
                rec.is_greedy = Some(scores.iter().map(|s| s.is_greedy).collect());
                rec.logprobs = Some(lps);
                rec.prompt = rendered;
            }
            Prompt::Letters { context, letters } => {
                let rendered = self.encoder.render(context)?;
                let ids = self.encoder.encode(&rendered)?;
                let last = ids.len().checked_sub(1).ok_or_else(|| HarnessError::Item("empty prompt".into()))?;
                let mut cache = self.model.new_cache();
                let logits = self.model.forward_causal(&ids, &mut cache, None, &[last])?;
                let lsm = log_softmax(logits.row(0));
                let mut lps = Vec::with_capacity(letters.len());
                for l in letters {
                    lps.push(f64::from(lsm[self.encoder.letter_id(l)? as usize]));
                }
                let pred = argmax(&lps);
                rec.prediction = pred.map(letter);
                rec.correct = choice_correct(&item.answer, pred);
                rec.logprobs = Some(lps);
                rec.prompt = rendered;
            }
            Prompt::Generate { prompt, stop, max_tokens } => {
                let rendered = self.encoder.render(prompt)?;
                let ids = self.encoder.encode(&rendered)?;
                let params = GenerateParams {
                    max_tokens: *max_tokens,
                    sampling: SamplingParams::default(),
                    stop_ids: self.tok.stop_ids(),
                    stop_strings: stop.clone(),
                };
                let out = generate(self.model, self.tok, &ids, &params, None, &mut |_| true)?;
                let extracted = extract(&self.extractor, &out.text);
                rec.correct = match &item.answer {
                    Answer::Text(_) | Answer::None => None,
                    _ => Some(text_correct(&item.answer, &self.extractor, extracted.as_deref()).unwrap_or(false)),
                };
                rec.prediction = extracted;
                rec.generated = Some(out.text);
                rec.prompt = rendered;
            }
            Prompt::Perplexity { text } => {
                let window = self.ppl_window.min(self.model.config().context_length - 1).max(2);
                let params = PerplexityParams { ctx: window, stride: (window / 2).max(1) };
                let r = perplexity(self.model, self.tok, text, params, &mut |_, _| {})?;
                rec.nll = Some(r.nll);
                rec.n_tokens = Some(r.n_tokens);
                rec.n_bytes = Some(r.n_bytes);
                rec.n_chars = Some(text.chars().count());
                rec.prompt = text.clone();
            }
        }
        Ok(rec)
    }
}
