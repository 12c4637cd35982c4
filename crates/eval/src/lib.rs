//! kaoshi-eval: benchmark suites, prompt templates, scoring and metrics.
//!
//! A suite loader ([`Suite::load`]) reads the files a benchmark's authors
//! publish into [`Item`]s, with errors that name the file and line
//! ([`DataError`]) and skipped rows counted ([`suite::Skip`]); in a browser
//! the same loaders read files held in memory ([`files::load_from_memory`]).
//! A [`Prompt`] is
//! what one item asks of a model, rendered from the suite's cited template
//! ([`Suite::prompt`]). The runner turns prompts into engine calls;
//! [`metrics`] and [`extract`] turn model outputs into scores.

pub mod extract;
pub mod files;
pub mod item;
pub mod judge;
pub mod metrics;
pub mod sources;
pub mod suite;
pub mod suites;

pub use item::{Answer, DataError, Item, Prompt};
pub use suite::{Mode, Suite, SuiteData, SuiteInfo, SuiteMetric};
