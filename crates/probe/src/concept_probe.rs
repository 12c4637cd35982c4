//! `kaoshi probe concept` over a model: the last token's residual stream
//! at the output of the chosen blocks (`blocks.{l}.hook_resid_post`, each
//! prompt encoded alone, BOS as the tokenizer adds it, no chat template,
//! as ConTrans' `get_hidden.py` reads `model.layers.{l}` outputs), a
//! concept vector per block ([`crate::concept`]), and how well it
//! separates the pairs. The vectors become a [`ControlVector`] whose
//! `direction.N` steers block N's output.

use kaoshi_model::{Backend, ControlVector, HookPoint, Model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::concept::{self, Method, Separation};
use crate::error::ProbeError;
use crate::xling::{Pool, represent};

/// Prompts per step of the progress callback.
const PROMPTS_PER_STEP: usize = 16;

/// What `kaoshi probe concept` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptReport {
    /// "concept".
    pub probe: &'static str,
    /// How the vectors were made.
    pub method: Method,
    /// Pairs used (the shorter list's length).
    pub n_pairs: usize,
    /// Prompts in each list as given.
    pub n_pos: usize,
    /// As given.
    pub n_neg: usize,
    /// The blocks, in order.
    pub layers: Vec<usize>,
    /// Per block: how the vector separates the pairs.
    pub separation: Vec<Separation>,
    /// Per block: the vector's Euclidean norm.
    pub norm: Vec<f64>,
}

/// `[prompt][block][dim]`: the last token's residual stream after each of
/// `blocks`, each prompt alone; `progress(done, total)` counts prompts.
pub fn last_token_states<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    prompts: &[String],
    blocks: &[usize],
    max_rows: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Vec<Vec<f64>>>, ProbeError> {
    let points: Vec<HookPoint> = blocks.iter().map(|&l| HookPoint::ResidPost(l)).collect();
    let mut out = Vec::with_capacity(prompts.len());
    for chunk in prompts.chunks(PROMPTS_PER_STEP) {
        out.extend(represent(model, tok, chunk, &points, Pool::Last, max_rows)?);
        progress(out.len(), prompts.len());
    }
    Ok(out)
}

/// The concept vectors of `pos` against `neg` (pairs cut to the shorter
/// list) at `blocks`, by `method`; `progress` counts prompts read.
#[allow(clippy::too_many_arguments)]
pub fn run<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    pos: &[String],
    neg: &[String],
    method: Method,
    blocks: &[usize],
    max_rows: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(ConceptReport, ControlVector), ProbeError> {
    let c = model.config();
    if let Some(&l) = blocks.iter().find(|&&l| l >= c.n_layers) {
        return Err(ProbeError::Options(format!(
            "block {l}: the model has {} blocks (0..{})",
            c.n_layers,
            c.n_layers - 1
        )));
    }
    let n = pos.len().min(neg.len());
    if n == 0 {
        return Err(ProbeError::Data("no pairs: both prompt lists need at least one prompt".into()));
    }
    if method == Method::Pca && n < 2 {
        return Err(ProbeError::Options("--method pca needs at least two pairs".into()));
    }
    let both: Vec<String> = pos[..n].iter().chain(&neg[..n]).cloned().collect();
    let states = last_token_states(model, tok, &both, blocks, max_rows, progress)?;
    let (hp, hn) = states.split_at(n);
    let mut separation = Vec::with_capacity(blocks.len());
    let mut norm = Vec::with_capacity(blocks.len());
    let mut cv = ControlVector { model_hint: Some(c.arch_name.clone()), ..Default::default() };
    for (k, &l) in blocks.iter().enumerate() {
        let p: Vec<Vec<f64>> = hp.iter().map(|s| s[k].clone()).collect();
        let q: Vec<Vec<f64>> = hn.iter().map(|s| s[k].clone()).collect();
        let v = concept::concept_vector(&p, &q, method);
        separation.push(concept::separation(&p, &q, &v));
        norm.push(v.iter().map(|x| x * x).sum::<f64>().sqrt());
        cv.directions.insert(l, v.iter().map(|&x| x as f32).collect());
    }
    let report = ConceptReport {
        probe: "concept",
        method,
        n_pairs: n,
        n_pos: pos.len(),
        n_neg: neg.len(),
        layers: blocks.to_vec(),
        separation,
        norm,
    };
    Ok((report, cv))
}
