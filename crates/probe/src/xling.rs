//! `kaoshi probe xling`: cross-lingual representation similarity (the
//! FuxiTranyu report, section 6.2). Each sentence of a parallel corpus is
//! encoded alone (BOS as the model adds it, no chat template); at the
//! embedding output (`hook_embed`, layer "emb") and at the output of every
//! block (`blocks.{l}.hook_resid_post`), a sentence is represented by its
//! last token (`Pool::Last`, the paper's choice) or by the mean over its
//! own tokens, BOS left out (`Pool::Mean`). Then [`crate::similarity`].

use kaoshi_model::{Backend, HookPoint, Model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::data::ParallelCorpus;
use crate::error::ProbeError;
pub use crate::pack::Pool;
use crate::pack::pooled;
use crate::similarity::{MeanOffDiagonal, Similarities, XlingAccumulator};

/// What `kaoshi probe xling` reports (and writes as `probe.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct XlingReport {
    /// "xling".
    pub probe: &'static str,
    /// Language codes, the order of every matrix.
    pub languages: Vec<String>,
    /// "emb", then each block's index.
    pub layers: Vec<String>,
    /// Sentences per language.
    pub n_sentences: usize,
    /// The pooling.
    pub pool: Pool,
    /// `[layer][language][language]` per measure.
    pub similarity: Similarities,
    /// Each measure's mean off-diagonal value per layer.
    pub mean_offdiag: MeanOffDiagonal,
}

/// Sentences per step: each step runs these sentences in every language and
/// adds them to the sums before the next.
const SENTENCES_PER_STEP: usize = 16;

/// Token ids of `text` as the model reads it (BOS when the tokenizer adds
/// one), and how many leading rows are not the text's own (0 or 1).
pub(crate) fn encode(tok: &Tokenizer, text: &str) -> Result<(Vec<u32>, usize), ProbeError> {
    let ids = tok.encode(text, true, false)?;
    let skip = usize::from(tok.add_bos() && tok.bos_id().is_some() && ids.first() == tok.bos_id().as_ref());
    if ids.len() <= skip {
        return Err(ProbeError::Data(format!("{text:?} has no tokens")));
    }
    Ok((ids, skip))
}

/// Runs the probe over `corpus`; `max_rows` bounds a pass's rows (several
/// sentences run as one pass); `progress(done, total)` counts sentences.
pub fn run<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    corpus: &ParallelCorpus,
    pool: Pool,
    max_rows: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<XlingReport, ProbeError> {
    let c = model.config();
    let n_layers = c.n_layers + 1;
    let points: Vec<HookPoint> =
        std::iter::once(HookPoint::Embed).chain((0..c.n_layers).map(HookPoint::ResidPost)).collect();
    let (n_langs, n) = (corpus.langs.len(), corpus.len());
    if n_langs < 2 {
        return Err(ProbeError::Options("xling compares languages: give at least two".into()));
    }
    let mut acc = XlingAccumulator::new(n_langs, n_layers, c.dim);
    for first in (0..n).step_by(SENTENCES_PER_STEP) {
        let range = first..(first + SENTENCES_PER_STEP).min(n);
        // reps[lang][sentence in step][layer]
        let mut reps = Vec::with_capacity(n_langs);
        for sentences in &corpus.sentences {
            reps.push(represent(model, tok, &sentences[range.clone()], &points, pool, max_rows)?);
        }
        for s in 0..range.len() {
            let per_lang: Vec<Vec<Vec<f64>>> = reps.iter().map(|r| r[s].clone()).collect();
            acc.add(&per_lang);
        }
        progress(range.end, n);
    }
    let similarity = acc.finish();
    Ok(XlingReport {
        probe: "xling",
        languages: corpus.langs.clone(),
        layers: std::iter::once("emb".to_string()).chain((0..c.n_layers).map(|l| l.to_string())).collect(),
        n_sentences: n,
        pool,
        mean_offdiag: similarity.mean_off_diagonal(),
        similarity,
    })
}

/// `[sentence][layer][dim]`: the pooled representation of each sentence at
/// each of `points`.
pub(crate) fn represent<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    sentences: &[String],
    points: &[HookPoint],
    pool: Pool,
    max_rows: usize,
) -> Result<Vec<Vec<Vec<f64>>>, ProbeError> {
    let mut encoded = Vec::with_capacity(sentences.len());
    let mut skips = Vec::with_capacity(sentences.len());
    for s in sentences {
        let (ids, skip) = encode(tok, s)?;
        encoded.push(ids);
        skips.push(skip);
    }
    pooled(model, &encoded, skips.first().copied().unwrap_or(0), points, pool, max_rows)
}
