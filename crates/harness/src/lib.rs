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
//! layout) and `report.md`.

mod encode;
mod execute;
pub mod journal;
pub mod judge;
pub mod metrics;
mod record;
pub mod results;
mod run;
mod special;

pub use encode::{ChatMode, PromptEncoder};
pub use judge::{Judge, JudgeConfig};
pub use record::SampleRecord;
pub use run::{HarnessError, RunOptions, TaskOutcome, run_suite, run_suite_judged, sha256_file};
