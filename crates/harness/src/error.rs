//! [`HarnessError`]: why a run failed.

use std::path::PathBuf;

use kaoshi_eval::DataError;

/// Why a run failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The suite's data is unusable.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The journal cannot be read or does not match this run.
    #[error("journal: {0}")]
    Journal(String),
    /// The chat template failed.
    #[error("chat template: {0}")]
    Chat(String),
    /// An item cannot be run.
    #[error("{0}")]
    Item(String),
    /// The suite does not support the requested mode.
    #[error("suite {suite} has no {mode} mode (it has: {available})")]
    BadMode {
        /// The suite.
        suite: String,
        /// The mode asked for.
        mode: &'static str,
        /// The modes it has.
        available: String,
    },
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] kaoshi_engine::EngineError),
    /// The model failed.
    #[error(transparent)]
    Model(#[from] kaoshi_model::ModelError),
    /// The tokenizer failed.
    #[error(transparent)]
    Tokenizer(#[from] kaoshi_tokenizer::TokenizerError),
}
