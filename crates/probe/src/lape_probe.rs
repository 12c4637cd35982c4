//! `kaoshi probe lape`: language-specific neurons on a model. [`count`]
//! streams each language's sentences through the model and counts, per MLP
//! neuron, the tokens on which it is active (`mlp.hook_pre > 0`: the gate
//! before SiLU, as `activation.py` counts SiLU(gate) > 0; BOS not counted;
//! nothing kept but the counters); [`crate::lape::select`] picks the
//! neurons; [`ablate`] is the authors' evaluation (`ppl.py`): with the
//! neurons of language A zeroed (SiLU(gate) set to 0, i.e.
//! `mlp.hook_post` zeroed at those indices) the perplexity of each language
//! B's held-out sentences.

use std::collections::BTreeMap;

use kaoshi_model::{Backend, CaptureRequest, HookPoint, HookSet, Intervention, Model, RowSet};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::data::ParallelCorpus;
use crate::error::ProbeError;
use crate::lape::{LapeCounts, LapeParams, LapeSelection};
use crate::pack::pack;
use crate::xling::encode;

/// What `kaoshi probe lape` reports (and writes as `probe.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LapeReport {
    /// "lape".
    pub probe: &'static str,
    /// Language codes, the order of the ablation matrices.
    pub languages: Vec<String>,
    /// The thresholds.
    pub params: LapeParams,
    /// Sentences counted per language.
    pub n_sentences_counted: usize,
    /// Tokens counted per language.
    pub tokens_counted: BTreeMap<String, u64>,
    /// The neurons found and their thresholds.
    #[serde(flatten)]
    pub selection: LapeSelection,
    /// The perplexities with each language's neurons zeroed.
    pub ablation: Option<Ablation>,
}

/// The perplexity of each language's held-out sentences, plain and with
/// each language's neurons zeroed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ablation {
    /// How the numbers are computed.
    pub definition: &'static str,
    /// Held-out sentences per language.
    pub n_sentences: usize,
    /// Tokens predicted per language.
    pub tokens: Vec<usize>,
    /// `base_ppl[b]`: language b's perplexity, nothing zeroed.
    pub base_ppl: Vec<f64>,
    /// `ppl[a][b]`: language b's perplexity with language a's neurons zeroed.
    pub ppl: Vec<Vec<f64>>,
    /// `delta_ppl[a][b] = ppl[a][b] - base_ppl[b]`.
    pub delta_ppl: Vec<Vec<f64>>,
}

const ABLATION_DEFINITION: &str = "perplexity = exp(mean negative log-likelihood of every token after the first of each \
     held-out sentence, each sentence read alone from its start, BOS first where the tokenizer adds one; per \
     token, so not comparable across languages a tokenizer splits differently); delta_ppl[a][b] = perplexity of language b with the \
     neurons of language a zeroed (mlp.hook_post set to 0 at those indices, every position) minus without";

/// Counts active neurons over the sentences of each language of `corpus`,
/// whole sentences until at least `max_tokens` tokens per language (all
/// when `None`). `progress(done, total)` counts sentences over all languages.
pub fn count<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    corpus: &ParallelCorpus,
    max_tokens: Option<u64>,
    max_rows: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(LapeCounts, usize), ProbeError> {
    let c = model.config();
    let mut counts = LapeCounts::new(corpus.langs.clone(), c.n_layers, c.ffn_dim);
    let total = corpus.langs.len() * corpus.len();
    let mut done = 0;
    let mut most_sentences = 0;
    for (lang, sentences) in corpus.sentences.iter().enumerate() {
        let mut encoded = Vec::new();
        let mut skip = 0;
        let mut tokens = 0u64;
        for s in sentences {
            if max_tokens.is_some_and(|m| tokens >= m) {
                break;
            }
            let (ids, k) = encode(tok, s)?;
            tokens += (ids.len() - k) as u64;
            skip = k;
            encoded.push(ids);
        }
        most_sentences = most_sentences.max(encoded.len());
        for p in pack(&encoded, max_rows) {
            let rows = p.all_rows(skip);
            let hooks = HookSet {
                captures: (0..c.n_layers)
                    .map(|l| CaptureRequest { point: HookPoint::MlpPre(l), rows: rows.clone() })
                    .collect(),
                ..Default::default()
            };
            let out = p.run(model, Some(&hooks), None)?;
            for captured in &out.captures.0 {
                let HookPoint::MlpPre(layer) = captured.point else { continue };
                let values = model.backend().download(&captured.values)?;
                counts.add(lang, layer, &values.data);
            }
            done += p.seqs.len();
            progress(done, total);
        }
        done = (lang + 1) * corpus.len();
        progress(done, total);
    }
    Ok((counts, most_sentences))
}

/// The interventions that zero `lang`'s neurons.
fn zeroing(selection: &LapeSelection, lang: &str) -> HookSet {
    let layers = selection.neurons.get(lang);
    HookSet {
        interventions: layers
            .into_iter()
            .flatten()
            .map(|(&layer, neurons)| Intervention::ScaleNeurons {
                layer,
                neurons: neurons.clone(),
                factor: 0.0,
                rows: RowSet::All,
            })
            .collect(),
        ..Default::default()
    }
}

/// Perplexities of `eval`'s languages plain and with each language's
/// neurons zeroed. `progress(done, total)` counts (ablation, language) runs.
pub fn ablate<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    eval: &ParallelCorpus,
    selection: &LapeSelection,
    max_rows: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Ablation, ProbeError> {
    let langs = &eval.langs;
    let mut encoded = Vec::with_capacity(langs.len());
    for sentences in &eval.sentences {
        encoded.push(sentences.iter().map(|s| encode(tok, s).map(|(ids, _)| ids)).collect::<Result<Vec<_>, _>>()?);
    }
    let total = (langs.len() + 1) * langs.len();
    let mut done = 0;
    let mut base = Vec::with_capacity(langs.len());
    let mut tokens = Vec::with_capacity(langs.len());
    for seqs in &encoded {
        let (nll, n) = nll(model, seqs, None, max_rows)?;
        base.push((nll / n as f64).exp());
        tokens.push(n);
        done += 1;
        progress(done, total);
    }
    let mut ppl = Vec::with_capacity(langs.len());
    for a in langs {
        let hooks = zeroing(selection, a);
        let mut row = Vec::with_capacity(langs.len());
        for (b, seqs) in encoded.iter().enumerate() {
            row.push(if hooks.is_empty() {
                base[b]
            } else {
                let (nll, n) = nll(model, seqs, Some(&hooks), max_rows)?;
                (nll / n as f64).exp()
            });
            done += 1;
            progress(done, total);
        }
        ppl.push(row);
    }
    let delta_ppl = ppl.iter().map(|row| row.iter().zip(&base).map(|(p, b)| p - b).collect()).collect();
    Ok(Ablation { definition: ABLATION_DEFINITION, n_sentences: eval.len(), tokens, base_ppl: base, ppl, delta_ppl })
}

/// Total negative log-likelihood of every token after the first of each
/// sequence, and how many tokens that is.
fn nll<B: Backend>(
    model: &Model<B>,
    seqs: &[Vec<u32>],
    hooks: Option<&HookSet>,
    max_rows: usize,
) -> Result<(f64, usize), ProbeError> {
    let (mut total, mut n) = (0.0, 0);
    for p in pack(seqs, max_rows) {
        let mut rows = Vec::new();
        let mut picks = Vec::new();
        for &(start, len, _) in &p.seqs {
            for r in start..start + len - 1 {
                picks.push((rows.len(), p.tokens[r + 1]));
                rows.push(r);
            }
        }
        if rows.is_empty() {
            continue;
        }
        let out = p.run(model, hooks, Some(&rows))?;
        let scores = out.logits.token_scores(model.backend(), &picks)?;
        total -= scores.iter().map(|s| s.log_prob).sum::<f64>();
        n += scores.len();
    }
    if n == 0 {
        return Err(ProbeError::Data("the held-out sentences have no token to predict".into()));
    }
    Ok((total, n))
}
