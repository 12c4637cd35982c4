//! [`ProbeError`]: why a probe could not run.

use std::path::PathBuf;

/// Why a probe failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// A data file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The data is not what the probe reads (named file and line).
    #[error("{0}")]
    Data(String),
    /// The options do not make a run.
    #[error("{0}")]
    Options(String),
    /// The model failed.
    #[error(transparent)]
    Model(#[from] kaoshi_model::ModelError),
    /// The tokenizer failed.
    #[error(transparent)]
    Tokenizer(#[from] kaoshi_tokenizer::TokenizerError),
}

impl From<kaoshi_model::BackendError> for ProbeError {
    fn from(e: kaoshi_model::BackendError) -> Self {
        Self::Model(e.into())
    }
}
