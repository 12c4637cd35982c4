//! Engine errors.

use kaoshi_model::ModelError;
use kaoshi_tokenizer::TokenizerError;

/// Why an engine operation failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The model failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Tokenizing or detokenizing failed.
    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),
    /// The request cannot be scored or run as given.
    #[error("{0}")]
    BadRequest(String),
}
