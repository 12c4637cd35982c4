//! The contract every benchmark suite implements.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::extract::Extractor;
use crate::item::{DataError, Item, Prompt};
use crate::judge::JudgePrompt;

/// How items are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Log-likelihood of each option after the prompt (lm-evaluation-harness):
    /// `acc` and `acc_norm`.
    Loglik,
    /// Next-token logits of the option letters (CMMLU / C-Eval upstream).
    Letter,
    /// Generate, then extract the answer with the suite's [`Extractor`].
    Generate,
    /// Perplexity / bits per byte of the text.
    Perplexity,
    /// A local judge model rates generated answers.
    Judge,
}

impl Mode {
    /// The CLI spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Loglik => "loglik",
            Self::Letter => "letter",
            Self::Generate => "generate",
            Self::Perplexity => "perplexity",
            Self::Judge => "judge",
        }
    }
}

/// A metric beyond accuracy and perplexity that a suite's authors report,
/// declared by the suite ([`Suite::metrics`]) and computed from its
/// records by the harness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuiteMetric {
    /// Corpus chrF of generated text against the reference text, and BLEU
    /// per subject (per translation direction for FLORES, tokenized for its
    /// target language).
    ReferenceOverlap,
    /// CBBQ's bias scores in ambiguous and disambiguated contexts.
    BiasScore,
    /// The distribution of the risk levels of the options picked (CRiskEval).
    RiskLevels,
    /// GAOKAO-Bench's points-weighted scoring rate.
    ScoringRate,
    /// The judge model's mean score (as a fraction of full marks) and its
    /// unreadable verdicts.
    JudgeScore,
}

/// A row the loader skipped, with the reason; reported, never silent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skip {
    /// The file.
    pub path: PathBuf,
    /// 1-based line or record number.
    pub line: usize,
    /// Why it was skipped.
    pub reason: String,
}

/// What a loader read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SuiteData {
    /// Items to evaluate, in file order.
    pub items: Vec<Item>,
    /// Few-shot exemplars (the suite's dev split), in file order.
    pub dev: Vec<Item>,
    /// Rows skipped, with reasons.
    pub skipped: Vec<Skip>,
}

impl SuiteData {
    /// The first `n` dev items of `subject` (few-shot exemplars are taken
    /// first-n, as the suites' own scripts do).
    pub fn fewshot(&self, subject: &str, n: usize) -> Vec<&Item> {
        self.dev.iter().filter(|d| d.subject == subject).take(n).collect()
    }
}

/// Static facts about a suite, for `kaoshi eval --list` and results.json.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuiteInfo {
    /// Short name used on the command line, e.g. `ceval`.
    pub name: &'static str,
    /// One line on what it measures.
    pub description: &'static str,
    /// The data's licence as its authors state it.
    pub license: &'static str,
    /// Where the data is published.
    pub homepage: &'static str,
    /// Where the prompt template comes from (file and repository).
    pub template_source: &'static str,
    /// Modes the suite supports; the first is the default.
    pub modes: &'static [Mode],
}

/// A benchmark suite: a loader for its published files and its prompt template.
pub trait Suite: Sync {
    /// Static facts.
    fn info(&self) -> SuiteInfo;
    /// Reads the suite from `dir` (the folder the authors publish, or the
    /// matching folder of ../shared/data).
    fn load(&self, dir: &Path) -> Result<SuiteData, DataError>;
    /// Renders `item` with `fewshot` exemplars for `mode`.
    fn prompt(&self, item: &Item, fewshot: &[&Item], mode: Mode) -> Prompt;
    /// How the answer to `item` is extracted from generated text (generate
    /// mode). Most suites use one extractor for every item; GAOKAO-Bench's
    /// depends on the item's question type and number of sub-questions.
    fn extractor(&self, _item: &Item) -> Extractor {
        Extractor::Letter { n_choices: 4 }
    }
    /// The judge's prompt for `answer`, the candidate's generated answer to
    /// `item` ([`Mode::Judge`]); `None` for suites without a judge.
    fn judge_prompt(&self, _item: &Item, _answer: &str) -> Option<JudgePrompt> {
        None
    }
    /// Where the judge prompt comes from (paper, file and repository).
    fn judge_source(&self) -> Option<&'static str> {
        None
    }
    /// The metrics beyond accuracy and perplexity that the suite's records
    /// are aggregated into (none by default).
    fn metrics(&self) -> &[SuiteMetric] {
        &[]
    }
}
