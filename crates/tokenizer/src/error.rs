//! Typed errors for every tokenizer operation.

use std::path::PathBuf;

/// Everything that can go wrong while loading or running a tokenizer.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The GGUF container itself could not be parsed.
    #[error("invalid GGUF file {path}: {message}")]
    Gguf {
        /// The file that failed.
        path: PathBuf,
        /// What the GGUF reader reported.
        message: String,
    },
    /// A required metadata key is absent.
    #[error("missing metadata key `{key}`")]
    MissingMetadata {
        /// The key that was looked for.
        key: String,
    },
    /// A metadata key exists but has the wrong type or an impossible value.
    #[error("metadata key `{key}` is invalid: {reason}")]
    BadMetadata {
        /// The offending key.
        key: String,
        /// Why it was rejected.
        reason: String,
    },
    /// `tokenizer.ggml.model` names a tokenizer this crate does not implement.
    #[error("unsupported tokenizer model `{name}` (supported: llama, gpt2)")]
    UnknownModel {
        /// The model name found in the file.
        name: String,
    },
    /// The pre-tokenizer name is not known.
    #[error("unknown pre-tokenizer `{name}` (known: {known})")]
    UnknownPreTokenizer {
        /// The name that was asked for.
        name: String,
        /// Comma-separated list of the names this crate understands.
        known: String,
    },
    /// A tiktoken rank file needs a pre-tokenizer name to be usable.
    #[error("{path} is a tiktoken rank file; pass a pre-tokenizer name (qwen2 or llama3)")]
    PreTokenizerRequired {
        /// The tiktoken file.
        path: PathBuf,
    },
    /// The file format could not be recognised.
    #[error("{path}: not a GGUF, tokenizer.json or tiktoken file")]
    UnknownFormat {
        /// The file that was sniffed.
        path: PathBuf,
    },
    /// The tokenizer data is structurally broken.
    #[error("malformed tokenizer data: {what}")]
    Malformed {
        /// Description of the defect.
        what: String,
    },
    /// A token id is outside the vocabulary.
    #[error("token id {id} is outside the vocabulary")]
    UnknownTokenId {
        /// The offending id.
        id: u32,
    },
    /// Some input byte has no token and the vocabulary has no unknown token.
    #[error("byte 0x{byte:02X} has no token and the vocabulary has no <unk>")]
    Unencodable {
        /// The byte that could not be encoded.
        byte: u8,
    },
    /// The Hugging Face `tokenizers` library reported an error.
    #[error("tokenizers library: {message}")]
    Hf {
        /// The message from the library.
        message: String,
    },
}

pub(crate) fn malformed(what: impl Into<String>) -> TokenizerError {
    TokenizerError::Malformed { what: what.into() }
}
