//! IRCAN's attribution over a dataset, journaled: one [`AttrRecord`] per
//! example (the JSON: id, target token, `p_ctx`, `p_q`, per block
//! the attribution sum and `p_patched`, the bag), appended and synced as
//! soon as the example is done, so that a killed run resumes where it
//! stopped ([`crate::journal`]); [`AttrKey`] refuses a folder written with
//! other options. Scores per neuron are not kept: the bag is what the
//! method uses.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use kaoshi_cpu::GradBackend;
use kaoshi_model::Model;
use serde::{Deserialize, Serialize};

use crate::ProbeError;
use crate::ircan_attr::{AttrOptions, attribute};
use crate::journal::{self, Journal};

/// The journal's file name.
pub const JOURNAL: &str = "ircan_attribution.jsonl";
/// The options the journal was written with.
pub const KEY: &str = "ircan_options.json";

/// One block of one example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerRecord {
    /// The block.
    pub layer: usize,
    /// The sum of its neurons' attributions.
    pub attr_sum: f64,
    /// The probability of the target with its last-position neurons at
    /// their no-context values.
    pub p_patched: f64,
}

/// One example's attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrRecord {
    /// The example's id (its line or index in the data file).
    pub id: usize,
    /// The first token of the context-consistent answer.
    pub target_token: u32,
    /// Its probability after the context prompt.
    pub p_ctx: f64,
    /// Its probability after the question alone.
    pub p_q: f64,
    /// Per block.
    pub layers: Vec<LayerRecord>,
    /// `[layer, index, score]`, highest first.
    pub bag: Vec<(usize, usize, f32)>,
    /// The largest gap between a block's attribution sum and the change of
    /// the probability along its path (integrated gradients' completeness).
    pub completeness_error: f64,
    /// Wall time of the example.
    pub seconds: f64,
}

/// What must match for a rerun to resume a folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrKey {
    /// sha256 of the model.
    pub model_sha256: String,
    /// sha256 of the attributed data file.
    pub data_sha256: String,
    /// `memotrap`, `cose` or `ecare`.
    pub task: String,
    /// The attribution's options.
    pub attribution: AttrOptions,
    /// The bag's threshold (fraction of the example's largest score).
    pub threshold: f64,
    /// The bag's size.
    pub top: usize,
}

/// One example to attribute: token ids of both prompts and the target.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrInput {
    /// The example's id.
    pub id: usize,
    /// The prompt with the context.
    pub with_context: Vec<u32>,
    /// The question alone.
    pub without_context: Vec<u32>,
    /// The answer's first token.
    pub target: u32,
}

/// Attributes every input not already in `dir`'s journal (all of them
/// without a folder), calling `progress(done, total)`; returns the records
/// of all inputs, in input order.
pub fn attribute_all(
    model: &Model<GradBackend>,
    inputs: &[AttrInput],
    key: &AttrKey,
    dir: Option<&Path>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<AttrRecord>, ProbeError> {
    let mut records: Vec<AttrRecord> = Vec::new();
    let mut journal = None;
    if let Some(dir) = dir {
        journal::check_or_write_key(dir, KEY, key)?;
        records = journal::read(dir, JOURNAL)?;
        journal = Some(Journal::open(dir, JOURNAL)?);
    }
    let wanted: HashSet<usize> = inputs.iter().map(|i| i.id).collect();
    records.retain(|r| wanted.contains(&r.id));
    let done: HashSet<usize> = records.iter().map(|r| r.id).collect();
    progress(done.len(), inputs.len());
    for input in inputs.iter().filter(|i| !done.contains(&i.id)) {
        let started = Instant::now();
        let a = attribute(model, &input.with_context, &input.without_context, input.target, &key.attribution)?;
        let rec = AttrRecord {
            id: input.id,
            target_token: input.target,
            p_ctx: a.p_ctx,
            p_q: a.p_q,
            layers: a
                .layers
                .iter()
                .map(|l| LayerRecord { layer: l.layer, attr_sum: l.attr_sum, p_patched: l.p_patched })
                .collect(),
            bag: a.bag(key.threshold, key.top),
            completeness_error: a.completeness_error(),
            seconds: started.elapsed().as_secs_f64(),
        };
        if let Some(j) = &mut journal {
            j.append(&rec)?;
        }
        records.push(rec);
        progress(records.len(), inputs.len());
    }
    let order: std::collections::HashMap<usize, usize> = inputs.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
    records.sort_by_key(|r| order.get(&r.id).copied().unwrap_or(usize::MAX));
    Ok(records)
}

/// Each record's bag as `(layer, index)` pairs, for
/// the most frequent neurons (`neurons::NeuronList::most_common`).
pub fn bags(records: &[AttrRecord]) -> Vec<Vec<(usize, usize)>> {
    records.iter().map(|r| r.bag.iter().map(|&(l, j, _)| (l, j)).collect()).collect()
}

/// How many bag entries fall in each block (the released
/// `plot_cn_distribution.py`'s histogram), over `n_layers` blocks.
pub fn bag_histogram(records: &[AttrRecord], n_layers: usize) -> Vec<usize> {
    let mut h = vec![0; n_layers];
    for &(l, _, _) in records.iter().flat_map(|r| &r.bag) {
        if l < n_layers {
            h[l] += 1;
        }
    }
    h
}
