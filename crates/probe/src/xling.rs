//! `kaoshi probe xling`: cross-lingual representation similarity (the
//! FuxiTranyu report, section 6.2). Each sentence of a parallel corpus is
//! encoded alone (BOS as the model adds it, no chat template); at the
//! embedding output (`hook_embed`, layer "emb") and at the output of every
//! block (`blocks.{l}.hook_resid_post`), a sentence is represented by its
//! last token (`Pool::Last`, the paper's choice) or by the mean over its
//! own tokens, BOS left out (`Pool::Mean`). Then [`crate::similarity`].

use std::str::FromStr;

use kaoshi_model::{Backend, Capture, CaptureRequest, HookPoint, HookSet, Model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::data::ParallelCorpus;
use crate::error::ProbeError;
use crate::pack::pack;
use crate::similarity::{MeanOffDiagonal, Similarities, XlingAccumulator};

/// How a sentence's token representations become one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    /// The last token's.
    Last,
    /// The mean over the sentence's tokens (BOS left out).
    Mean,
}

impl FromStr for Pool {
    type Err = ProbeError;

    fn from_str(s: &str) -> Result<Self, ProbeError> {
        match s {
            "last" => Ok(Self::Last),
            "mean" => Ok(Self::Mean),
            other => Err(ProbeError::Options(format!("pool {other:?}: expected last or mean"))),
        }
    }
}

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
    let dim = model.config().dim;
    let mut sums = vec![vec![vec![0f64; dim]; points.len()]; sentences.len()];
    let mut counts = vec![0usize; sentences.len()];
    for p in pack(&encoded, max_rows) {
        let skip = skips.first().copied().unwrap_or(0);
        let rows = match pool {
            Pool::Last => p.last_rows(),
            Pool::Mean => p.all_rows(skip),
        };
        let hooks = HookSet {
            captures: points.iter().map(|&point| CaptureRequest { point, rows: rows.clone() }).collect(),
            ..Default::default()
        };
        let out = p.run(model, Some(&hooks), None)?;
        let captured: Vec<Capture> = out.captures.download(model.backend())?;
        for c in &captured {
            let k = p.seqs.partition_point(|&(start, _, _)| start <= c.row) - 1;
            let sentence = p.seqs[k].2;
            let layer = points.iter().position(|&q| q == c.point).expect("a requested point");
            for (s, v) in sums[sentence][layer].iter_mut().zip(&c.values) {
                *s += f64::from(*v);
            }
            if layer == 0 {
                counts[sentence] += 1;
            }
        }
    }
    for (s, &n) in sums.iter_mut().zip(&counts) {
        for layer in s.iter_mut() {
            layer.iter_mut().for_each(|x| *x /= n.max(1) as f64);
        }
    }
    Ok(sums)
}
