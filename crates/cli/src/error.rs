//! The CLI's error: any library error, or a usage problem, shown as one line.

use std::path::PathBuf;

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Reading the model file failed.
    #[error(transparent)]
    Format(#[from] kaoshi_formats::FormatError),
    /// Building or running the model failed.
    #[error(transparent)]
    Model(#[from] kaoshi_model::ModelError),
    /// Loading the model on the chosen backend failed (`--backend gpu`
    /// says so: its failures are the GPU's).
    #[error("{}{source}", backend_prefix(*.choice))]
    Backend {
        /// The backend asked for.
        choice: kaoshi_runtime::BackendChoice,
        /// What failed, with its kind.
        source: kaoshi_model::ModelError,
    },
    /// The tokenizer failed.
    #[error(transparent)]
    Tokenizer(#[from] kaoshi_tokenizer::TokenizerError),
    /// The chat template failed.
    #[error(transparent)]
    Chat(#[from] kaoshi_tokenizer::chat::ChatTemplateError),
    /// An engine operation failed.
    #[error(transparent)]
    Engine(#[from] kaoshi_engine::EngineError),
    /// An evaluation failed.
    #[error(transparent)]
    Harness(#[from] kaoshi_harness::HarnessError),
    /// A suite's data is unusable.
    #[error(transparent)]
    Data(#[from] kaoshi_eval::DataError),
    /// Quantizing a model failed.
    #[error(transparent)]
    Quantize(#[from] kaoshi_cpu::quantize::QuantizeError),
    /// A probe failed.
    #[error(transparent)]
    Probe(#[from] kaoshi_probe::ProbeError),
    /// The quantization study failed.
    #[error(transparent)]
    Study(#[from] kaoshi_study::StudyError),
    /// A suite's published files could not be fetched.
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The options or input are unusable.
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

fn backend_prefix(choice: kaoshi_runtime::BackendChoice) -> &'static str {
    match choice {
        kaoshi_runtime::BackendChoice::Gpu => "--backend gpu: ",
        _ => "",
    }
}
