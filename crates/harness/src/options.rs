//! [`RunOptions`]: the settings of a run, as results.json records them.

use std::path::PathBuf;

use kaoshi_eval::Mode;
use serde::Serialize;

use crate::encode::ChatMode;
use crate::judge::JudgeConfig;

/// Settings of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunOptions {
    /// Evaluate only the first `limit` items of each suite.
    pub limit: Option<usize>,
    /// Few-shot exemplars per prompt (first-n of the subject's dev split).
    pub num_fewshot: usize,
    /// Scoring mode; the suite's default when `None`.
    pub mode: Option<Mode>,
    /// Whether to apply the model's chat template.
    pub chat: ChatMode,
    /// The output folder (journal, results).
    pub output: PathBuf,
    /// Window for perplexity items, in tokens.
    pub ppl_window: usize,
    /// The judge model's provenance and verdict cap (judge mode); the loaded
    /// judge goes to [`run_suite_judged`].
    pub judge: Option<JudgeConfig>,
}
