//! The study's errors.

use std::path::{Path, PathBuf};

use kaoshi_engine::EngineError;
use kaoshi_model::{BackendError, ModelError};

/// What can stop a study.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// Tokenizing or planning a text, or a pass.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A forward pass.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Reading logits back.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// A file of the study.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// A variant that cannot be compared with the reference, or a
    /// reference file that does not fit the plan.
    #[error("{0}")]
    Mismatch(String),
}

impl StudyError {
    /// An I/O error on `path`, for `map_err`.
    pub fn io(path: &Path) -> impl Fn(std::io::Error) -> StudyError + '_ {
        move |source| StudyError::Io { path: path.to_path_buf(), source }
    }
}
