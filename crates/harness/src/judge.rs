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

use kaoshi_engine::{GenerateParams, SamplingParams, generate};
use kaoshi_eval::judge::parse_verdict;
use kaoshi_eval::{Item, Suite};
use kaoshi_model::{Backend, Model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::encode::{ChatMode, PromptEncoder};
use crate::error::HarnessError;
use crate::record::SampleRecord;

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
