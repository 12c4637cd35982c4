//! kaoshi-study: the quantization study of `kaoshi quant-study` (after Jin
//! et al., "A Comprehensive Evaluation of Quantization Strategies for Large
//! Language Models", Findings of ACL 2024): quantized variants of a model
//! against a reference, on knowledge and capacity, alignment and
//! efficiency, with perplexity as a proxy. The model-free parts are here;
//! the CLI loads the models and runs the suites.
//!
//! - [`plan`]: the scored tokens of a perplexity text, the same for every
//!   model ([`plan::TextPlan`], with a fingerprint that a variant's
//!   tokenizer must reproduce).
//! - [`pass`]: one model over a plan: perplexity, and the compared
//!   positions' distributions written ([`reference::ReferenceWriter`]) or
//!   compared ([`fidelity`]).
//! - [`fidelity`]: KL divergence, same top token, Δp and the perplexity
//!   ratio per position and summed up, as `llama-perplexity
//!   --kl-divergence` reports them.
//! - [`reference`]: the reference's log-probabilities on disk, streamed.
//! - [`correlate`]: Pearson and Spearman between mean perplexity and each
//!   metric, with n.
//! - [`doc`]: `study.json`; [`report`]: `report.md`, with the charts of
//!   [`charts`].

pub mod charts;
pub mod correlate;
pub mod doc;
pub mod error;
pub mod fidelity;
pub mod pass;
pub mod plan;
pub mod reference;
pub mod report;

pub use doc::{Correlation, Efficiency, ModelRow, Settings, StudyDoc, TextPerplexity};
pub use error::StudyError;
pub use fidelity::{Accumulator, FidelitySummary};
