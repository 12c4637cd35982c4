//! Errors from building or running a model.

use kaoshi_formats::FormatError;

use crate::backend::BackendError;

/// Why a model could not be loaded or run.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read or is not valid GGUF.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// `general.architecture` names an architecture kaoshi does not implement.
    #[error("unknown architecture {name:?} (kaoshi runs: llama, mistral, qwen2, qwen3)")]
    UnknownArchitecture {
        /// The architecture string from the file.
        name: String,
    },
    /// The file has no `general.architecture` key.
    #[error("the file has no general.architecture key: it is not a model (a vocabulary-only GGUF?)")]
    NoArchitecture,
    /// A required metadata key is missing or unusable.
    #[error("metadata {key}: {problem}")]
    BadConfig {
        /// The key.
        key: String,
        /// What is wrong.
        problem: String,
    },
    /// A tensor's shape disagrees with the metadata.
    #[error("tensor {tensor} has shape {found:?}, the metadata implies {expected:?}")]
    ShapeMismatch {
        /// The tensor.
        tensor: String,
        /// The shape the metadata implies (outermost first).
        expected: Vec<usize>,
        /// The shape in the file.
        found: Vec<usize>,
    },
    /// A dimension is beyond any real model; refused before allocating.
    #[error("{what} = {value} is beyond the supported maximum {max}; the file is corrupt or not a language model")]
    AbsurdDimension {
        /// Which dimension.
        what: &'static str,
        /// Its value.
        value: u64,
        /// The largest accepted value.
        max: u64,
    },
    /// The rope scaling method is not implemented.
    #[error("rope scaling {kind:?} is not supported (none, linear and llama3 frequency factors are)")]
    UnsupportedRopeScaling {
        /// The method named in the file.
        kind: String,
    },
    /// A token id is outside the vocabulary.
    #[error("token id {id} is outside the vocabulary of {vocab} tokens")]
    TokenOutOfRange {
        /// The id.
        id: u32,
        /// The vocabulary size.
        vocab: usize,
    },
    /// The sequence would exceed the model's context length.
    #[error("sequence of {len} tokens exceeds the model's context length {max}")]
    ContextOverflow {
        /// The length asked for.
        len: usize,
        /// The context length.
        max: usize,
    },
    /// A hook name or intervention does not fit this model.
    #[error("hook: {0}")]
    Hook(String),
    /// The backend failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
}
