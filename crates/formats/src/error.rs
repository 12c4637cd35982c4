//! Errors for reading model files.

use std::path::PathBuf;

/// Why a model file could not be read. Every variant names the file or
/// tensor concerned so that the message alone tells the user what to fix.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file does not start with the GGUF magic bytes.
    #[error("{path} is not a GGUF file (it starts with {found:02x?}, GGUF files start with \"GGUF\")")]
    NotGguf {
        /// The file.
        path: PathBuf,
        /// Its first bytes.
        found: Vec<u8>,
    },
    /// The GGUF version is one this reader does not know.
    #[error("{path}: GGUF version {version} is not supported (versions 1, 2 and 3 are)")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version number in the header.
        version: u32,
    },
    /// The file ends before its header or a tensor's data does.
    #[error("{path} is truncated: {what} needs bytes up to offset {needed}, but the file has {len} bytes")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// What was being read.
        what: String,
        /// The offset the read needed to reach.
        needed: u64,
        /// The file's length.
        len: u64,
    },
    /// The header is structurally invalid (bad value type, bad UTF-8, ...).
    #[error("{path}: malformed GGUF header: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A tensor uses a type kaoshi cannot compute with.
    #[error(
        "{path}: tensor {tensor} has type {type_name}, which kaoshi does not support (supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K)"
    )]
    UnsupportedTensorType {
        /// The file.
        path: PathBuf,
        /// The tensor.
        tensor: String,
        /// The ggml name of its type.
        type_name: String,
    },
    /// A tensor's dimensions are impossible: too many, zero-sized in a way
    /// that overflows, larger than the file, or rows that do not fill whole
    /// quantization blocks.
    #[error("{path}: tensor {tensor} has invalid dimensions {dims:?}: {reason}")]
    BadDimensions {
        /// The file.
        path: PathBuf,
        /// The tensor.
        tensor: String,
        /// Its dimensions, innermost first as stored in GGUF.
        dims: Vec<u64>,
        /// Why they are rejected.
        reason: String,
    },
    /// A tensor the caller asked for is not in the file.
    #[error("{path}: no tensor named {tensor}")]
    MissingTensor {
        /// The file.
        path: PathBuf,
        /// The tensor name.
        tensor: String,
    },
    /// A metadata key is missing.
    #[error("{path}: metadata key {key} is missing")]
    MissingKey {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
    },
    /// A metadata key has a value of the wrong type or range.
    #[error("{path}: metadata key {key} {problem}")]
    BadValue {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A tensor's payload cannot be decoded as asked.
    #[error("{path}: cannot decode tensor {tensor}: {message}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// The tensor.
        tensor: String,
        /// What is wrong.
        message: String,
    },
}
