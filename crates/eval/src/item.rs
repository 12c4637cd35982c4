//! The shared vocabulary of every suite: items, answers, prompts, data errors.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The reference answer of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Index into `Item::choices` (0 = A).
    Choice(usize),
    /// Several correct choices (GAOKAO multi-answer questions).
    Choices(Vec<usize>),
    /// A number (math word problems).
    Number(f64),
    /// Reference text (translation, reading comprehension).
    Text(String),
    /// No reference (perplexity text, judge-scored prompts).
    None,
}

/// One benchmark item, as the suite's files give it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id: the dataset's own id, or `file:line`.
    pub id: String,
    /// Subject / sub-task / language (the unit of macro averages).
    pub subject: String,
    /// The question or text.
    pub question: String,
    /// Option texts, in order (empty when the item is not multiple choice).
    pub choices: Vec<String>,
    /// The reference answer.
    pub answer: Answer,
    /// Anything else the scoring or report needs (explanation, grade,
    /// reasoning_step, context_condition, category, ...).
    pub fields: BTreeMap<String, String>,
}

/// What one item asks of the model, rendered from a suite template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Prompt {
    /// Score each continuation after the context (loglikelihood multiple choice).
    Choices {
        /// The prompt (few-shot exemplars included).
        context: String,
        /// One continuation per option, e.g. " A" or the option text.
        continuations: Vec<String>,
    },
    /// Compare the next-token logits of these letters (CMMLU/C-Eval upstream).
    Letters {
        /// The prompt, ending where the answer letter goes.
        context: String,
        /// The letters, e.g. ["A", "B", "C", "D"].
        letters: Vec<String>,
    },
    /// Generate, then extract the answer.
    Generate {
        /// The prompt.
        prompt: String,
        /// Stop strings.
        stop: Vec<String>,
        /// Token limit.
        max_tokens: usize,
    },
    /// Perplexity of a text.
    Perplexity {
        /// The text.
        text: String,
    },
}

/// A problem with a suite's data, naming the file and (where known) the line.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A row or record is malformed.
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line (or record) number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The file is not in the expected text encoding.
    #[error("{path}: not valid {encoding} text (first bad byte at offset {offset})")]
    Encoding {
        /// The file.
        path: PathBuf,
        /// The expected encoding.
        encoding: &'static str,
        /// Byte offset of the first undecodable byte.
        offset: usize,
    },
    /// The suite's folder has no usable items.
    #[error("{path}: no items found ({hint})")]
    Empty {
        /// The file or folder.
        path: PathBuf,
        /// What was expected there.
        hint: String,
    },
}

impl DataError {
    /// A malformed-row error.
    pub fn malformed(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Self::Malformed { path: path.into(), line, message: message.into() }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
