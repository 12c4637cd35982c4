//! kaoshi-engine: what evaluation needs from a model, on any backend.
//!
//! - [`score`]: teacher-forced log-probabilities of continuations after a
//!   context; the context's key/value cache is computed once and every
//!   continuation of it runs in one batched forward pass.
//! - [`generate`]: greedy or sampled generation with stop tokens and
//!   strings, streaming text through a callback.
//! - [`perplexity`]: rolling-window perplexity and bits per byte.
//!
//! ```no_run
//! # fn demo<B: kaoshi_model::Backend>(model: &kaoshi_model::Model<B>, tok: &kaoshi_tokenizer::Tokenizer) -> Result<(), kaoshi_engine::EngineError> {
//! let reqs = [kaoshi_engine::ScoreRequest { context: "1 + 1 =".into(), continuation: " 2".into() }];
//! let scores = kaoshi_engine::score_requests(model, tok, &reqs)?;
//! println!("log p = {}", scores[0].score.logprob);
//! # Ok(()) }
//! ```

mod error;
pub mod generate;
mod logits;
pub mod perplexity;
pub mod sampling;
pub mod score;

pub use error::EngineError;
pub use generate::{Decoding, GenerateParams, GenerationOutput, StopReason, generate, next_token};
pub use logits::{argmax, log_softmax};
pub use perplexity::{PerplexityParams, PerplexityPlan, PerplexityReport, PerplexityWindow, perplexity};
pub use sampling::{Rng, SamplingParams};
pub use score::{
    ContinuationBatch, ContinuationScore, ScoreRequest, ScoredRequest, ScoringPlan, score_continuations,
    score_from_scratch, score_requests,
};
