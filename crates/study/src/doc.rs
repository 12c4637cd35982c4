//! `study.json`: what one `kaoshi quant-study` run measured, for the
//! reference and every variant, read back by the report and by
//! `--json`. Every figure the report shows is here, so a reader can redraw
//! it without the models.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::fidelity::FidelitySummary;

/// The whole study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyDoc {
    /// The reference's label (the first of `models`).
    pub reference: String,
    /// Where every model ran (`cpu`, or the GPU adapter).
    pub backend: String,
    /// The reference first, then the variants in the order given.
    pub models: Vec<ModelRow>,
    /// The perplexity texts, in order (`wikitext2`, `cmrc2018`, ...).
    pub ppl_data: Vec<String>,
    /// The benchmark metrics compared, as `suite/metric` keys of
    /// [`ModelRow::metrics`], in order.
    pub metrics: Vec<String>,
    /// Perplexity (mean over `ppl_data`) against each metric, over the
    /// models that have both.
    pub correlations: Vec<Correlation>,
    /// The settings the figures depend on.
    pub settings: Settings,
    /// Caveats the run found (few variants, fallback types, ...), shown
    /// in the report.
    pub notes: Vec<String>,
    /// kaoshi's version.
    pub kaoshi_version: String,
    /// When the study was written (UTC, ISO 8601).
    pub date: String,
}

/// The settings of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Tokens per perplexity window.
    pub ppl_ctx: usize,
    /// Tokens between window starts.
    pub ppl_stride: usize,
    /// Scored tokens per perplexity text (0: the whole text).
    pub ppl_tokens: usize,
    /// Scored positions per text whose full distributions are compared
    /// with the reference's (the first ones scored).
    pub kld_tokens: usize,
    /// Benchmark items per suite (`--limit`), if limited.
    pub limit: Option<usize>,
    /// Prompt tokens of the prefill measurement.
    pub bench_prompt_tokens: usize,
    /// Generated tokens of the decode measurement.
    pub bench_gen_tokens: usize,
}

/// One model's row of the study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    /// A short name (the file's stem, made unique).
    pub label: String,
    /// The file as given.
    pub path: String,
    /// Size of the file in bytes.
    pub file_bytes: u64,
    /// Bits per weight: 8 x the bytes of all tensor data / all tensor
    /// elements (as llama.cpp's loader prints "BPW").
    pub bits_per_weight: f64,
    /// Tensor data bytes by ggml type name (what the file is made of).
    pub type_bytes: BTreeMap<String, u64>,
    /// Perplexity on each text of `ppl_data`, in order.
    pub perplexity: Vec<TextPerplexity>,
    /// Benchmark metrics by `suite/metric` key.
    pub metrics: BTreeMap<String, f64>,
    /// Speed and memory, when measured.
    pub efficiency: Option<Efficiency>,
}

impl ModelRow {
    /// The mean of the perplexities over the texts (the paper's "average
    /// perplexity"), or NaN without any.
    pub fn mean_ppl(&self) -> f64 {
        if self.perplexity.is_empty() {
            return f64::NAN;
        }
        self.perplexity.iter().map(|p| p.ppl).sum::<f64>() / self.perplexity.len() as f64
    }

    /// The mean KL divergence from the reference over the texts (token-
    /// weighted), when measured.
    pub fn mean_kld(&self) -> Option<f64> {
        let f: Vec<&FidelitySummary> = self.perplexity.iter().filter_map(|p| p.fidelity.as_ref()).collect();
        let n: usize = f.iter().map(|s| s.n).sum();
        (n > 0).then(|| f.iter().map(|s| s.kld_mean * s.n as f64).sum::<f64>() / n as f64)
    }

    /// The share of positions whose most likely token is the reference's,
    /// over the texts (token-weighted), when measured.
    pub fn same_top(&self) -> Option<f64> {
        let f: Vec<&FidelitySummary> = self.perplexity.iter().filter_map(|p| p.fidelity.as_ref()).collect();
        let n: usize = f.iter().map(|s| s.n).sum();
        (n > 0).then(|| f.iter().map(|s| s.same_top * s.n as f64).sum::<f64>() / n as f64)
    }
}

/// Perplexity on one text, and the fidelity against the reference there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextPerplexity {
    /// The text's name.
    pub data: String,
    /// Tokens scored.
    pub n_tokens: usize,
    /// Total negative log-likelihood, nats.
    pub nll: f64,
    /// `exp(nll / n_tokens)`.
    pub ppl: f64,
    /// Against the reference (absent for the reference itself).
    pub fidelity: Option<FidelitySummary>,
}

/// Speed and memory (`kaoshi bench`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Efficiency {
    /// Prompt tokens per second, one prompt of `bench_prompt_tokens`.
    pub prefill_tok_s: f64,
    /// Generated tokens per second over `bench_gen_tokens`.
    pub decode_tok_s: f64,
    /// Peak resident memory of the process that measured, MiB (Linux).
    pub peak_rss_mib: Option<f64>,
    /// Seconds to load the model.
    pub load_s: f64,
}

/// Pearson's and Spearman's r between the models' mean perplexity and a
/// metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correlation {
    /// The `suite/metric` key.
    pub metric: String,
    /// Models with both numbers.
    pub n: usize,
    /// Pearson's r (NaN when undefined: fewer than 3 models or a
    /// constant series).
    pub pearson: f64,
    /// Spearman's rho (ranks with average ties).
    pub spearman: f64,
}
