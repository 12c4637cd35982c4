//! One finished item, as written to `samples_<task>.jsonl`.

use std::collections::BTreeMap;

use kaoshi_eval::{Answer, Mode};
use serde::{Deserialize, Serialize};

/// The record of one evaluated item: enough to recompute every metric and
/// to audit the prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    /// Task name (the suite).
    pub task: String,
    /// The item's id.
    pub doc_id: String,
    /// Subject / language / sub-task.
    pub subject: String,
    /// How it was scored.
    pub mode: Mode,
    /// The prompt text the model saw (chat template applied).
    pub prompt: String,
    /// Option texts (multiple choice).
    pub choices: Vec<String>,
    /// Per-option log-probabilities: of each continuation (loglik) or of
    /// each letter as the next token (letter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<Vec<f64>>,
    /// Per-option greedy flags (loglik).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_greedy: Option<Vec<bool>>,
    /// Generated text (generate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// The prediction: an option letter, a number or text; `None` when
    /// nothing could be extracted (counted wrong).
    pub prediction: Option<String>,
    /// The prediction by length-normalised log-probability (loglik's acc_norm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prediction_norm: Option<String>,
    /// The reference answer.
    pub gold: Answer,
    /// Whether the prediction is right (absent for reference-free items).
    pub correct: Option<bool>,
    /// Whether the acc_norm prediction is right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_norm: Option<bool>,
    /// Partial credit in `0.0..=1.0` for items scored with it (GAOKAO-Bench:
    /// half for a correct subset of a multi-select answer, the fraction of
    /// sub-questions right); `correct` is then `credit == 1`. Accuracy uses
    /// the credit when present. Absent in journals written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<f64>,
    /// The prompt the judge model saw, chat template applied (judge mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge_prompt: Option<String>,
    /// The judge's raw generated verdict (judge mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge_verdict: Option<String>,
    /// The score read from the verdict ([`kaoshi_eval::judge::parse_verdict`]);
    /// `None` with a verdict present means unparseable, counted as
    /// `judge_unparsed`, never replaced by a guess.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge_score: Option<f64>,
    /// The top of the judge's scale (full marks); scores are normalised by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge_max: Option<f64>,
    /// Negative log-likelihood in nats (perplexity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nll: Option<f64>,
    /// Tokens scored (perplexity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_tokens: Option<usize>,
    /// UTF-8 bytes of the text (perplexity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_bytes: Option<usize>,
    /// Characters of the text (perplexity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_chars: Option<usize>,
    /// The item's extra fields (grade, category, ...).
    pub fields: BTreeMap<String, String>,
}

impl SampleRecord {
    /// The record of `item` before it is run: gold answer, choices and
    /// fields filled in, nothing scored.
    pub fn new(task: &str, item: &kaoshi_eval::Item, mode: Mode) -> Self {
        Self {
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
            credit: None,
            judge_prompt: None,
            judge_verdict: None,
            judge_score: None,
            judge_max: None,
            nll: None,
            n_tokens: None,
            n_bytes: None,
            n_chars: None,
            fields: item.fields.clone(),
        }
    }
}
