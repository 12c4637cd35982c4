//! Judge mode: a second local model rates the candidate's generated answer.
//!
//! For each item the evaluated model first answers the item's
//! [`kaoshi_eval::Prompt::Generate`] greedily (the ordinary executor); the
//! suite then renders the judge prompt around that answer
//! ([`kaoshi_eval::Suite::judge_prompt`]: GAOKAO-Bench's own grading prompt,
//! or MT-Bench's single-answer prompt for reference-free CValues), the judge
//! generates its verdict greedily (`max_tokens`, its own stop tokens, its own
//! chat template when `--chat-template auto`), and
//! [`kaoshi_eval::judge::parse_verdict`] reads the score. A verdict without a
//! readable score stays `judge_score: None` and is counted
//! (`judge_unparsed`), never replaced by a guess.
//!
//! A judge prompt longer than the judge's context minus `max_tokens` is
//! left-truncated (its last tokens kept), lm-evaluation-harness's rule for
//! generation requests.

use std::collections::BTreeMap;

use kaoshi_engine::{GenerateParams, SamplingParams, generate};
use kaoshi_eval::judge::parse_verdict;
use kaoshi_eval::{Item, Suite};
use kaoshi_model::{Backend, Model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::encode::{ChatMode, PromptEncoder};
use crate::metrics::mean_stderr;
use crate::record::SampleRecord;
use crate::run::HarnessError;

/// Default cap on the judge's verdict, in tokens.
pub const DEFAULT_JUDGE_MAX_TOKENS: usize = 512;

/// The judge's settings and provenance, as results.json records them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgeConfig {
    /// The judge model file as given.
    pub model: String,
    /// sha256 of the judge model file.
    pub model_sha256: String,
    /// Token cap on each verdict.
    pub max_tokens: usize,
}

/// A loaded judge model, on the same backend as the evaluated model.
pub struct Judge<'a, B: Backend> {
    /// The judge's weights.
    pub model: &'a Model<B>,
    /// The judge's tokenizer.
    pub tok: &'a Tokenizer,
}

/// Runs a judge over candidate records.
pub(crate) struct JudgeRunner<'a, B: Backend> {
    judge: &'a Judge<'a, B>,
    encoder: PromptEncoder<'a>,
    max_tokens: usize,
}

impl<'a, B: Backend> JudgeRunner<'a, B> {
    pub fn new(judge: &'a Judge<'a, B>, chat: ChatMode, max_tokens: usize) -> Result<Self, HarnessError> {
        Ok(Self { judge, encoder: PromptEncoder::new(judge.tok, chat)?, max_tokens: max_tokens.max(1) })
    }

    /// Has the judge rate `rec.generated` (the candidate's answer to `item`)
    /// and fills the record's `judge_*` fields.
    pub fn score(&self, suite: &dyn Suite, item: &Item, rec: &mut SampleRecord) -> Result<(), HarnessError> {
        let answer = rec
            .generated
            .as_deref()
            .ok_or_else(|| HarnessError::Item(format!("judge mode needs a generate prompt (item {})", item.id)))?;
        let jp = suite.judge_prompt(item, answer).ok_or_else(|| {
            HarnessError::Item(format!("suite {} gives no judge prompt for item {}", suite.info().name, item.id))
        })?;
        let rendered = self.encoder.render(&jp.prompt)?;
        let mut ids = self.encoder.encode(&rendered)?;
        let room = self.judge.model.config().context_length.saturating_sub(self.max_tokens).max(1);
        if ids.len() > room {
            ids.drain(..ids.len() - room);
        }
        let params = GenerateParams {
            max_tokens: self.max_tokens,
            sampling: SamplingParams::default(),
            stop_ids: self.judge.tok.stop_ids(),
            stop_strings: Vec::new(),
        };
        let out = generate(self.judge.model, self.judge.tok, &ids, &params, None, &mut |_| true)?;
        rec.judge_score = parse_verdict(jp.format, &out.text, jp.min, jp.max);
        rec.judge_prompt = Some(rendered);
        rec.judge_verdict = Some(out.text);
        rec.judge_max = Some(jp.max);
        Ok(())
    }
}

/// `judge_score_mean,none` (each score divided by its item's full marks, so
/// 0..1), its `_stderr`, `judge_n_scored,none` and `judge_unparsed,none`
/// (verdicts with no readable score), for records that have a verdict.
pub(crate) fn add_metrics(records: &[SampleRecord], metrics: &mut BTreeMap<String, f64>) {
    let judged: Vec<&SampleRecord> = records.iter().filter(|r| r.judge_verdict.is_some()).collect();
    if judged.is_empty() {
        return;
    }
    let scores: Vec<f64> =
        judged.iter().filter_map(|r| Some(r.judge_score? / r.judge_max.filter(|m| *m > 0.0)?)).collect();
    if !scores.is_empty() {
        let (m, se) = mean_stderr(&scores);
        metrics.insert("judge_score_mean,none".into(), m);
        metrics.insert("judge_score_mean_stderr,none".into(), se);
    }
    metrics.insert("judge_n_scored,none".into(), scores.len() as f64);
    metrics.insert("judge_unparsed,none".into(), (judged.len() - scores.len()) as f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(score: Option<f64>, max: f64) -> SampleRecord {
        let line = format!(
            r#"{{"task":"t","doc_id":"{score:?}","subject":"s","mode":"judge","prompt":"p","choices":[],
               "prediction":null,"gold":"none","correct":null,"fields":{{}},
               "judge_prompt":"j","judge_verdict":"v","judge_max":{max}{}}}"#,
            score.map(|s| format!(r#","judge_score":{s}"#)).unwrap_or_default()
        );
        serde_json::from_str(&line).expect("record")
    }

    #[test]
    fn mean_is_normalised_and_unparsed_counted() {
        let rs = vec![rec(Some(8.0), 10.0), rec(Some(3.0), 6.0), rec(None, 10.0)];
        let mut m = BTreeMap::new();
        add_metrics(&rs, &mut m);
        assert!((m["judge_score_mean,none"] - 0.65).abs() < 1e-12); // (0.8 + 0.5) / 2
        assert_eq!(m["judge_unparsed,none"], 1.0);
        assert_eq!(m["judge_n_scored,none"], 2.0);
    }

    #[test]
    fn records_without_judge_fields_still_read() {
        let line = r#"{"task":"t","doc_id":"1","subject":"s","mode":"loglik","prompt":"p","choices":[],
                      "prediction":"A","gold":{"choice":0},"correct":true,"fields":{}}"#;
        let r: SampleRecord = serde_json::from_str(line).expect("old record");
        assert_eq!((r.judge_prompt, r.judge_verdict, r.judge_score, r.judge_max), (None, None, None, None));
        let mut m = BTreeMap::new();
        add_metrics(&[], &mut m);
        assert!(m.is_empty());
    }
}
