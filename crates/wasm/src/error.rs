//! [`Error`]: what failed, sorted into the kinds a JS caller can tell apart
//! by the `name` of the `Error` object it receives.

use kaoshi_engine::EngineError;
use kaoshi_eval::DataError;
use kaoshi_formats::FormatError;
use kaoshi_gpu::GpuError;
use kaoshi_harness::HarnessError;
use kaoshi_model::{BackendError, ModelError};
use kaoshi_runtime::UnknownBackend;
use kaoshi_tokenizer::TokenizerError;

/// The kind of a failure; [`ErrorKind::js_name`] is the JS `Error.name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The bytes are not GGUF, or the file is malformed or not a model kaoshi knows.
    ModelFormat,
    /// A tensor type the chosen backend cannot compute with.
    UnsupportedQuant,
    /// WebGPU was asked for and is absent (no `navigator.gpu`, or no adapter).
    WebGpuUnavailable,
    /// Not enough memory (wasm heap or GPU buffers) for the model.
    OutOfMemory,
    /// The caller's `AbortSignal` fired.
    Abort,
    /// A suite's data files are missing, malformed or not what its loader
    /// reads (the message names the file and line).
    SuiteData,
    /// Anything else.
    Kaoshi,
}

impl ErrorKind {
    /// The `name` of the JS `Error` object.
    pub fn js_name(self) -> &'static str {
        match self {
            ErrorKind::ModelFormat => "ModelFormatError",
            ErrorKind::UnsupportedQuant => "UnsupportedQuantError",
            ErrorKind::WebGpuUnavailable => "WebGpuUnavailableError",
            ErrorKind::OutOfMemory => "OutOfMemoryError",
            ErrorKind::Abort => "AbortError",
            ErrorKind::SuiteData => "SuiteDataError",
            ErrorKind::Kaoshi => "KaoshiError",
        }
    }
}

/// A failure with its kind and a one-line message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// What happened, naming the file, tensor or option concerned.
    pub message: String,
}

impl Error {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }

    /// A [`ErrorKind::Kaoshi`] error (bad options and the like).
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Kaoshi, message)
    }

    /// The JS `Error` for this failure, its `name` set to the kind's name.
    pub fn to_js(&self) -> wasm_bindgen::JsValue {
        let e = js_sys::Error::new(&self.message);
        e.set_name(self.kind.js_name());
        e.into()
    }
}

impl From<FormatError> for Error {
    fn from(e: FormatError) -> Self {
        let kind = match e {
            FormatError::UnsupportedTensorType { .. } => ErrorKind::UnsupportedQuant,
            _ => ErrorKind::ModelFormat,
        };
        Self::new(kind, e.to_string())
    }
}

/// Each backend failure's kind decides the JS name; the message is the
/// backend's own.
impl From<BackendError> for Error {
    fn from(e: BackendError) -> Self {
        let kind = match e {
            BackendError::Format(f) => return f.into(),
            BackendError::UnsupportedDtype { .. } => ErrorKind::UnsupportedQuant,
            BackendError::OutOfMemory { .. } => ErrorKind::OutOfMemory,
            // A model on a new device works again.
            BackendError::DeviceLost { .. } | BackendError::Unavailable { .. } => ErrorKind::WebGpuUnavailable,
            _ => ErrorKind::Kaoshi,
        };
        Self::new(kind, e.to_string())
    }
}

impl From<ModelError> for Error {
    fn from(e: ModelError) -> Self {
        match e {
            ModelError::Format(f) => f.into(),
            ModelError::Backend(b) => b.into(),
            ModelError::UnknownArchitecture { .. }
            | ModelError::NoArchitecture
            | ModelError::BadConfig { .. }
            | ModelError::ShapeMismatch { .. }
            | ModelError::AbsurdDimension { .. }
            | ModelError::UnsupportedRopeScaling { .. } => Self::new(ErrorKind::ModelFormat, e.to_string()),
            other => Self::other(other.to_string()),
        }
    }
}

impl From<EngineError> for Error {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Model(m) => m.into(),
            other => Self::other(other.to_string()),
        }
    }
}

impl From<TokenizerError> for Error {
    fn from(e: TokenizerError) -> Self {
        Self::other(e.to_string())
    }
}

impl From<GpuError> for Error {
    fn from(e: GpuError) -> Self {
        BackendError::from(e).into()
    }
}

impl From<UnknownBackend> for Error {
    fn from(e: UnknownBackend) -> Self {
        Self::other(e.to_string())
    }
}

impl From<DataError> for Error {
    fn from(e: DataError) -> Self {
        Self::new(ErrorKind::SuiteData, e.to_string())
    }
}

impl From<HarnessError> for Error {
    fn from(e: HarnessError) -> Self {
        match e {
            HarnessError::Data(d) => d.into(),
            HarnessError::Engine(x) => x.into(),
            HarnessError::Model(x) => x.into(),
            HarnessError::Tokenizer(x) => x.into(),
            other => Self::other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each backend failure reaches JS under its kind's name, through the
    /// model and engine errors that carry it; the message is the backend's.
    #[test]
    fn backend_kinds_name_the_js_error() {
        let b = "gpu";
        let cases = [
            (
                BackendError::UnsupportedDtype {
                    backend: b,
                    tensor: "w".into(),
                    dtype: "BF16".into(),
                    role: "weights",
                },
                "UnsupportedQuantError",
            ),
            (
                BackendError::OutOfMemory { backend: b, requested: Some(9), limit: Some(8), detail: "x".into() },
                "OutOfMemoryError",
            ),
            (BackendError::DeviceLost { backend: b, reason: "Destroyed".into() }, "WebGpuUnavailableError"),
            (BackendError::Unavailable { backend: b, reason: "no adapter".into() }, "WebGpuUnavailableError"),
            (BackendError::shape(b, "[2, 3] x [4, 5]"), "KaoshiError"),
            (BackendError::other(b, "mapping failed"), "KaoshiError"),
        ];
        for (e, name) in cases {
            let text = e.to_string();
            let err = Error::from(EngineError::Model(ModelError::Backend(e)));
            assert_eq!((err.kind.js_name(), err.message.as_str()), (name, text.as_str()));
        }
        let missing = FormatError::MissingTensor { path: "m.gguf".into(), tensor: "w".into() };
        assert_eq!(Error::from(BackendError::Format(missing)).kind, ErrorKind::ModelFormat);
    }
}
