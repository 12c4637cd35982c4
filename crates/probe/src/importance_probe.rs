//! The neuron-importance probe's runner (FuxiTranyu, section 6.1): each
//! sentence of each language runs alone on a [`GradBackend`] model with
//! the nine [`Site`]s of every block made gradient leaves;
//! [`score_sentence`] differentiates the sentence's mean next-token loss
//! and returns every neuron's importance ([`crate::importance`] has the
//! definition); [`run`] goes language by language, sentence by sentence,
//! skipping what the journal ([`crate::importance_run`]) already holds and
//! journaling each sentence as soon as it is scored, then
//! [`ImportanceReport::from_sums`] averages.
//!
//! Gradients need candle's autograd, so the probe runs only on the CPU's
//! [`GradBackend`]; other backends answer `BackendError::NoGradients`.
//! Sentences are encoded as [`crate::xling`] encodes them: BOS when the
//! tokenizer adds one, no chat template; every position but the last
//! predicts the next token.

use std::collections::BTreeMap;

use kaoshi_cpu::GradBackend;
use kaoshi_cpu::grad::{Objective, gradients};
use kaoshi_model::{Forward, HookSet, Intervention, Model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::data::ParallelCorpus;
use crate::error::ProbeError;
use crate::importance::{Component, LanguageSums, SentenceScores, Site, TopNeuron, importance, shares};
use crate::importance_run::{Record, RunState};

/// MLP neurons listed per language.
pub const TOP_NEURONS: usize = 20;

/// Tokens of a sentence: BOS as the tokenizer adds it, then the text.
pub fn encode(tok: &Tokenizer, text: &str) -> Result<Vec<u32>, ProbeError> {
    Ok(crate::xling::encode(tok, text)?.0)
}

/// Every neuron's importance on one sentence (`ids`, at least two
/// tokens): one pass with all nine sites of every block as leaves, one
/// backward pass of the mean next-token loss.
pub fn score_sentence(model: &Model<GradBackend>, ids: &[u32]) -> Result<SentenceScores, ProbeError> {
    if ids.len() < 2 {
        return Err(ProbeError::Data(format!("a sentence of {} token(s) predicts nothing", ids.len())));
    }
    let layers = model.config().n_layers;
    let interventions =
        (0..layers).flat_map(|l| Site::ALL.map(|s| Intervention::GradientLeaf { point: s.point(l) })).collect();
    let hooks = HookSet { captures: Vec::new(), interventions };
    let rows: Vec<usize> = (0..ids.len()).collect();
    let picks: Vec<(usize, u32)> = (0..ids.len() - 1).map(|i| (i, ids[i + 1])).collect();
    let mut cache = model.new_cache();
    // Leaves of an earlier failed pass would be differentiated again.
    model.backend().take_leaves();
    let out = model.run(Forward::causal(ids).logit_rows(&rows).hooks(Some(&hooks)), &mut cache)?;
    let logits = out.logits.into_single().ok_or_else(|| ProbeError::Data("the pass gave no logits".into()))?;
    let g = gradients(&logits, &Objective::MeanNll(picks), model.backend().take_leaves())?;
    let mut neurons = vec![vec![Vec::new(); Site::ALL.len()]; layers];
    for leaf in &g.leaves {
        let (site, l) = Site::of(leaf.point)
            .filter(|&(_, l)| l < layers)
            .ok_or_else(|| ProbeError::Data(format!("an unexpected gradient leaf at {}", leaf.point)))?;
        neurons[l][site.index()] = importance(&leaf.values, &leaf.grads, leaf.cols);
    }
    Ok(SentenceScores { loss: g.value, tokens: ids.len(), neurons })
}

/// One language's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LanguageImportance {
    /// The language code.
    pub lang: String,
    /// Sentences averaged.
    pub sentences: usize,
    /// Tokens over those sentences (BOS included).
    pub tokens: usize,
    /// The mean of the sentences' mean next-token losses.
    pub mean_loss: f64,
    /// `[layer]` per component (q, k, v, o, gate, up, down, norm): the
    /// mean over sentences of the sum over the component's neurons.
    pub importance: BTreeMap<&'static str, Vec<f64>>,
    /// ln1 and ln2 apart (their sum is `norm`).
    pub norms: BTreeMap<&'static str, Vec<f64>>,
    /// `importance` divided by its total over components and layers.
    pub share: BTreeMap<&'static str, Vec<f64>>,
    /// Per component, its share summed over layers.
    pub component_share: BTreeMap<&'static str, f64>,
    /// The most important gate and up neurons.
    pub top_neurons: Vec<TopNeuron>,
}

/// What `kaoshi probe importance` reports (and writes as `probe.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportanceReport {
    /// "importance".
    pub probe: &'static str,
    /// Blocks.
    pub layers: usize,
    /// The eight components, in order.
    pub components: Vec<&'static str>,
    /// Whether a BOS was put before each sentence.
    pub bos: bool,
    /// One per language, in the order asked for.
    pub languages: Vec<LanguageImportance>,
}

impl ImportanceReport {
    /// The report of per-language sums and records.
    pub fn from_sums(layers: usize, bos: bool, langs: &[String], sums: &[LanguageSums], records: &[Record]) -> Self {
        let languages = langs
            .iter()
            .zip(sums)
            .map(|(lang, s)| {
                let mine: Vec<&Record> = records.iter().filter(|r| &r.lang == lang).collect();
                let importance = s.component_means();
                let share = shares(&importance);
                let site = s.site_means();
                LanguageImportance {
                    lang: lang.clone(),
                    sentences: s.sentences,
                    tokens: mine.iter().map(|r| r.tokens).sum(),
                    mean_loss: mine.iter().map(|r| r.loss).sum::<f64>() / mine.len().max(1) as f64,
                    norms: ["ln1", "ln2"].into_iter().map(|k| (k, site[k].clone())).collect(),
                    component_share: share.iter().map(|(&k, v)| (k, v.iter().sum())).collect(),
                    importance,
                    share,
                    top_neurons: s.top_neurons(TOP_NEURONS),
                }
            })
            .collect();
        Self { probe: "importance", layers, components: Component::ALL.map(Component::name).to_vec(), bos, languages }
    }
}

/// Scores every sentence of `corpus` not yet in `state`, journaling each
/// (`progress(done, total)` counts sentences over all languages), and
/// reports.
pub fn run(
    model: &Model<GradBackend>,
    tok: &Tokenizer,
    corpus: &ParallelCorpus,
    state: &mut RunState,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportanceReport, ProbeError> {
    let total = corpus.langs.len() * corpus.len();
    let mut done = state.finished();
    progress(done, total);
    for (li, lang) in corpus.langs.iter().enumerate() {
        for (i, text) in corpus.sentences[li].iter().enumerate() {
            if state.has(lang, i) {
                continue;
            }
            let ids = encode(tok, text)?;
            if ids.len() < 2 {
                return Err(ProbeError::Data(format!("{lang} sentence {} has no token to predict", i + 1)));
            }
            let s = score_sentence(model, &ids)?;
            state.add(lang, i, &s)?;
            done += 1;
            progress(done, total);
        }
    }
    let bos = tok.add_bos() && tok.bos_id().is_some();
    Ok(ImportanceReport::from_sums(model.config().n_layers, bos, &corpus.langs, state.sums(), state.records()))
}
