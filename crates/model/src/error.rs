//! Errors from building or running a model.

use kaoshi_formats::FormatError;

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
    /// A forward request is inconsistent (positions, key spans or logit
    /// rows that do not fit its tokens or the cache).
    #[error("forward request: {0}")]
    BadRequest(String),
    /// The backend failed.
    #[error(transparent)]
    Backend(BackendError),
}

impl From<BackendError> for ModelError {
    /// A file that a backend could not read is a [`ModelError::Format`].
    fn from(e: BackendError) -> Self {
        match e {
            BackendError::Format(f) => Self::Format(f),
            other => Self::Backend(other),
        }
    }
}

/// A backend failure, by kind: front ends tell kinds apart by variant (the
/// browser's `Error.name`, the CLI's message), never by reading the text.
/// Every variant names the backend that failed ("cpu", "gpu").
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// A tensor is stored in a type this backend has no kernels for.
    #[error("{backend} backend: {tensor}: {dtype} {role} are not supported by the {backend} backend")]
    UnsupportedDtype {
        /// The backend.
        backend: &'static str,
        /// The tensor's name.
        tensor: String,
        /// The ggml name of its type.
        dtype: String,
        /// What the tensor is to the backend ("weights", "vectors").
        role: &'static str,
    },
    /// Memory ran out, or one buffer would exceed what the device binds.
    #[error("{backend} backend: out of memory: {detail}")]
    OutOfMemory {
        /// The backend.
        backend: &'static str,
        /// The bytes asked for, when known.
        requested: Option<u64>,
        /// The limit they exceed, when known.
        limit: Option<u64>,
        /// What ran out, in words.
        detail: String,
    },
    /// The device was lost (driver reset, destroyed, reclaimed by the
    /// browser); a model on a new device works again.
    #[error("{backend} backend: the device was lost ({reason}); load the model again")]
    DeviceLost {
        /// The backend.
        backend: &'static str,
        /// Why, as the driver or browser said.
        reason: String,
    },
    /// No device could be opened (no adapter, or the adapter refused).
    #[error("{backend} backend: no device: {reason}")]
    Unavailable {
        /// The backend.
        backend: &'static str,
        /// Why.
        reason: String,
    },
    /// Operands of incompatible shapes, or an index outside a tensor.
    #[error("{backend} backend: {message}")]
    Shape {
        /// The backend.
        backend: &'static str,
        /// What does not fit.
        message: String,
    },
    /// A gradient was asked of a backend that computes none (every backend
    /// but the CPU `GradBackend`).
    #[error(
        "{backend} backend: {what} needs gradients, which only the CPU gradient backend computes (use --backend cpu)"
    )]
    NoGradients {
        /// The backend.
        backend: &'static str,
        /// What asked for them.
        what: String,
    },
    /// A tensor could not be read from the model file.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// Anything else the backend reports.
    #[error("{backend} backend: {message}")]
    Other {
        /// The backend.
        backend: &'static str,
        /// What failed.
        message: String,
    },
}

impl BackendError {
    /// An [`BackendError::Other`] failure of `backend`.
    pub fn other(backend: &'static str, message: impl std::fmt::Display) -> Self {
        Self::Other { backend, message: message.to_string() }
    }

    /// A [`BackendError::Shape`] failure of `backend`.
    pub fn shape(backend: &'static str, message: impl std::fmt::Display) -> Self {
        Self::Shape { backend, message: message.to_string() }
    }
}
