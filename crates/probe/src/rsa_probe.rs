//! `kaoshi probe rsa`: representational similarity analysis between a
//! model and brain or behaviour data, or another model (Ren et al., "Do
//! Large Language Models Mirror Cognitive Language Processing?", COLING
//! 2025). One stimulus per line; each runs alone (packed as rows of one
//! pass, [`crate::pack`]), encoded as [`crate::xling`] encodes a sentence:
//! BOS when the tokenizer adds one, no chat template. With a prefix
//! (an instruction or noise text, the paper's prompt factor), the prefix is
//! encoded with the BOS and the stimulus alone after it, and the two id
//! lists are joined, so a stimulus's own tokens are the same with and
//! without a prefix. At the embedding output (layer "emb") and every
//! block's output a stimulus is the mean over its own tokens or its last
//! token (BOS and prefix left out); per layer the stimuli give an RDM and
//! [`crate::rsa::test`] compares it with the target.

use kaoshi_model::{Backend, HookPoint, Model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::ProbeError;
use crate::pack::{Pool, pooled};
use crate::rsa::{self, Compare, Distance, Test};

/// How stimuli become RDMs and how RDMs are compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsaOptions {
    /// The pooling over a stimulus's tokens.
    pub pool: Pool,
    /// Between stimulus embeddings.
    pub distance: Distance,
    /// Between RDMs.
    pub compare: Compare,
    /// Permutations of the test (0: no p-value).
    pub permutations: usize,
    /// Bootstrap resamples (0: no interval).
    pub bootstrap: usize,
    /// The generator's seed.
    pub seed: u64,
    /// Text put before every stimulus, left out of the pooling.
    pub prefix: Option<String>,
}

/// A model's RDMs over the stimuli, per layer.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRdms {
    /// "emb", then each block's index.
    pub layers: Vec<String>,
    /// `[layer][stimulus][stimulus]`.
    pub rdms: Vec<Vec<Vec<f64>>>,
    /// Whether a BOS was put before each stimulus (or its prefix).
    pub bos: bool,
    /// Tokens of the prefix (BOS included).
    pub prefix_tokens: usize,
}

/// What `kaoshi probe rsa` reports (and writes as `probe.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsaReport {
    /// "rsa".
    pub probe: &'static str,
    /// The model's layers: "emb", then each block.
    pub layers: Vec<String>,
    /// Per layer: the similarity to the target (against another model: to
    /// its best-matching layer, `best_match`).
    pub rho: Vec<f64>,
    /// Per layer: the permutation p-value.
    pub p: Vec<f64>,
    /// Per layer: the bootstrap 95 % interval.
    pub ci: Vec<[f64; 2]>,
    /// Stimuli.
    pub n_stimuli: usize,
    /// Whether a BOS was put before each stimulus.
    pub bos: bool,
    /// Against another model: its layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_layers: Option<Vec<String>>,
    /// Against another model: `[layer of M][layer of M2]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rho_matrix: Option<Vec<Vec<f64>>>,
    /// Against another model: per layer of M, the layer of M2 with the
    /// highest rho (the one `rho`, `p` and `ci` are about).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_match: Option<Vec<String>>,
    /// The options (in `probe.json` under `options`).
    #[serde(skip)]
    pub options: RsaOptions,
}

/// Stimuli per pass group between progress reports.
const STIMULI_PER_STEP: usize = 16;

/// Reads stimuli, one per line (trailing blank lines ignored; a blank line
/// between stimuli is an error, since line `i` is row `i` of the target).
pub fn read_stimuli(path: &std::path::Path) -> Result<Vec<String>, ProbeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProbeError::Io { path: path.into(), source })?;
    let mut lines: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    if let Some(i) = lines.iter().position(String::is_empty) {
        return Err(ProbeError::Data(format!("{}:{}: an empty stimulus line", path.display(), i + 1)));
    }
    if lines.len() < 3 {
        return Err(ProbeError::Data(format!(
            "{}: {} stimuli; RSA needs at least 3 (a rank correlation of fewer than 3 pairs is undefined)",
            path.display(),
            lines.len()
        )));
    }
    Ok(lines)
}

/// The RDM of every layer of `model` over `stimuli`; `progress(done,
/// total)` counts stimuli.
pub fn model_rdms<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    stimuli: &[String],
    o: &RsaOptions,
    max_rows: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ModelRdms, ProbeError> {
    let c = model.config();
    let points: Vec<HookPoint> =
        std::iter::once(HookPoint::Embed).chain((0..c.n_layers).map(HookPoint::ResidPost)).collect();
    let bos = tok.add_bos() && tok.bos_id().is_some();
    let prefix = match &o.prefix {
        Some(p) => tok.encode(p, true, false)?,
        None => tok.bos_id().filter(|_| bos).into_iter().collect(),
    };
    let mut encoded = Vec::with_capacity(stimuli.len());
    for (i, s) in stimuli.iter().enumerate() {
        let own = tok.encode(s, false, false)?;
        if own.is_empty() {
            return Err(ProbeError::Data(format!("stimulus {} ({s:?}) has no tokens", i + 1)));
        }
        encoded.push([&prefix[..], &own[..]].concat());
    }
    // embeddings[layer][stimulus]
    let mut emb = vec![Vec::with_capacity(stimuli.len()); points.len()];
    for first in (0..stimuli.len()).step_by(STIMULI_PER_STEP) {
        let end = (first + STIMULI_PER_STEP).min(stimuli.len());
        let pooled = pooled(model, &encoded[first..end], prefix.len(), &points, o.pool, max_rows)?;
        for s in pooled {
            for (layer, v) in s.into_iter().enumerate() {
                emb[layer].push(v);
            }
        }
        progress(end, stimuli.len());
    }
    Ok(ModelRdms {
        layers: std::iter::once("emb".to_string()).chain((0..c.n_layers).map(|l| l.to_string())).collect(),
        rdms: emb.iter().map(|e| rsa::rdm(e, o.distance)).collect(),
        bos,
        prefix_tokens: prefix.len(),
    })
}

/// RSA of `model` against a target RDM (checked by
/// [`rsa::check_target`]; `name` is its file).
pub fn against_target(
    model: &ModelRdms,
    target: &[Vec<f64>],
    name: &str,
    o: &RsaOptions,
) -> Result<RsaReport, ProbeError> {
    let n = model.rdms.first().map_or(0, Vec::len);
    rsa::check_target(target, n, name)?;
    let tests: Vec<Test> =
        model.rdms.iter().map(|m| rsa::test(m, target, o.compare, o.permutations, o.bootstrap, o.seed)).collect();
    Ok(report(model, n, &tests, o, None))
}

/// RSA of `model` against every layer of `other` (the same stimuli):
/// `rho_matrix[l][l2]`; per layer of `model`, the test against its
/// best-matching layer of `other`.
pub fn against_model(model: &ModelRdms, other: &ModelRdms, o: &RsaOptions) -> RsaReport {
    let n = model.rdms.first().map_or(0, Vec::len);
    let theirs: Vec<Vec<f64>> = other.rdms.iter().map(|r| rsa::upper(r)).collect();
    let matrix: Vec<Vec<f64>> = model
        .rdms
        .iter()
        .map(|r| {
            let mine = rsa::upper(r);
            theirs.iter().map(|t| o.compare.of(&mine, t)).collect()
        })
        .collect();
    let best: Vec<usize> =
        matrix.iter().map(|row| (0..row.len()).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap_or(0)).collect();
    let tests: Vec<Test> = model
        .rdms
        .iter()
        .zip(&best)
        .map(|(m, &b)| rsa::test(m, &other.rdms[b], o.compare, o.permutations, o.bootstrap, o.seed))
        .collect();
    let mut r = report(model, n, &tests, o, Some(matrix));
    r.best_match = Some(best.iter().map(|&b| other.layers[b].clone()).collect());
    r.target_layers = Some(other.layers.clone());
    r
}

fn report(model: &ModelRdms, n: usize, tests: &[Test], o: &RsaOptions, matrix: Option<Vec<Vec<f64>>>) -> RsaReport {
    RsaReport {
        probe: "rsa",
        layers: model.layers.clone(),
        rho: tests.iter().map(|t| t.rho).collect(),
        p: tests.iter().map(|t| t.p).collect(),
        ci: tests.iter().map(|t| t.ci).collect(),
        n_stimuli: n,
        bos: model.bos,
        target_layers: None,
        rho_matrix: matrix,
        best_match: None,
        options: o.clone(),
    }
}
