//! kaoshi-harness: runs benchmark suites on a model and writes results that
//! survive a crash.
//!
//! [`run_suite`] takes a loaded [`kaoshi_eval::Suite`], renders each item's
//! prompt, runs it through the engine (log-likelihood, letter logits,
//! generation or perplexity; in judge mode a second model rates the
//! generated answer, [`judge`]), appends one [`SampleRecord`] per finished item
//! to `samples_<task>.jsonl` (the journal: a rerun with the same output
//! folder skips what is there), and aggregates metrics with standard errors.
//! [`results`] writes `results.json` (close to lm-evaluation-harness's
//! layout) and `report.md`, and reads `results.json` back
//! ([`results::ResultsDoc`]).
//!
//! The run itself is [`TaskRun`], apart from the model and from storage:
//! each item becomes an [`ItemRequest`], the model's [`ItemResponse`] a
//! scored [`SampleRecord`]. `run_suite` answers requests with the
//! synchronous engine ([`run_request`]) and journals to a file; the browser
//! (kaoshi-wasm) awaits the answers and keeps records itself.

mod encode;
mod error;
mod execute;
pub mod journal;
pub mod judge;
pub mod metrics;
mod options;
mod record;
pub mod results;
mod run;
mod special;
mod task;

pub use encode::{ChatMode, PromptEncoder};
pub use error::HarnessError;
pub use execute::{ItemRequest, ItemResponse, Planner, run_request};
pub use judge::{Judge, JudgeConfig};
pub use options::RunOptions;
pub use record::SampleRecord;
pub use run::{run_suite, run_suite_judged, sha256_file};
pub use task::{TaskOutcome, TaskRun};
