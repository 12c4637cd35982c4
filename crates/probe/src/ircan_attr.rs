//! IRCAN's context-aware attribution (Shi et al., NeurIPS 2024): integrated
//! gradients of the probability of the context-consistent answer's first
//! token with respect to each block's MLP neurons (`mlp.hook_post`, the
//! input of the down projection) at the last prompt position, the
//! activation moving from its value without the context (the question
//! alone) to its value with it.
//!
//! As in the authors' released code (`1_calculate_attribution_*.py`),
//! block `l` alone is interpolated, the other blocks run on the context
//! prompt as they are, and the `m` points are `α_k = k/m, k = 0..m-1` for
//! completion tasks (MemoTrap) and `k = 1..m` for multiple choice (their
//! `scaled_input` differs between the two scripts). The attribution of
//! neuron `j` is `(w_j − wo_j)/m · Σ_k c_k · ∂p/∂a_j(α_k)` with `c_k = 1`
//! ([`IgMode::Ig`], standard integrated gradients: the sum over neurons
//! approaches `p(α=1) − p(α=0)` as `m` grows) or `c_k = α_k`
//! ([`IgMode::IrcanReference`]: the released code differentiates with
//! respect to the context activation `w`, through `α_k·w`, which weighs
//! step `k` by `α_k`).
//!
//! Cost: one pass of the question, one of the context prompt, one of its
//! prefix (kept as a key/value cache), then per block one pass of `m + 1`
//! rows of the last token, each seeing the prefix and itself, with the
//! gradient flowing back to that block: on SmolLM2-135M about 30 such
//! passes per example. The extra row is the end of the path that the
//! points leave out (`α = 1` for completion, `α = 0` for multiple choice),
//! so that `p_patched` (the probability with that block's neurons at their
//! no-context values, `α = 0`) and the completeness gap are reported.

use kaoshi_cpu::GradBackend;
use kaoshi_cpu::grad::{Objective, gradients};
use kaoshi_model::{
    Backend, CaptureRequest, Forward, HookPoint, HookSet, Intervention, KeySpan, Model, RowSet, host_log_prob,
};
use serde::{Deserialize, Serialize};

use crate::ProbeError;

/// How the integrated-gradient sum weighs its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IgMode {
    /// Every point weighs 1: standard integrated gradients (Sundararajan
    /// et al. 2017), whose sum satisfies completeness in the limit.
    Ig,
    /// Point `k` weighs `α_k`, as the authors' released code computes it.
    IrcanReference,
}

/// Where the interpolation points sit on `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Points {
    /// `k/m` for `k = 0..m-1` (the released completion script).
    Left,
    /// `k/m` for `k = 1..m` (the released multiple-choice script).
    Right,
}

impl Points {
    /// The `m` values of `α`.
    pub fn alphas(self, m: usize) -> Vec<f64> {
        let first = match self {
            Self::Left => 0,
            Self::Right => 1,
        };
        (first..first + m).map(|k| k as f64 / m as f64).collect()
    }
}

/// The options of an attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrOptions {
    /// Points on the path (`m`, 20 in the paper).
    pub steps: usize,
    /// The weighting.
    pub mode: IgMode,
    /// The points.
    pub points: Points,
    /// The blocks attributed (the others get no scores).
    pub layers: Vec<usize>,
}

/// One block's attribution for one example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerAttribution {
    /// The block.
    pub layer: usize,
    /// The sum of its neurons' attributions.
    pub attr_sum: f64,
    /// The probability of the target with this block's last-position
    /// neurons at their no-context values (`α = 0`).
    pub p_patched: f64,
    /// The probability at `α = 1` on the interpolation pass (equals
    /// `p_ctx` up to rounding: a check of the patching).
    pub p_end: f64,
    /// Each neuron's attribution.
    #[serde(skip)]
    pub scores: Vec<f32>,
}

/// The attribution of one example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The probability of the target after the context prompt.
    pub p_ctx: f64,
    /// The probability of the target after the question alone.
    pub p_q: f64,
    /// The blocks, in the order asked.
    pub layers: Vec<LayerAttribution>,
}

impl Attribution {
    /// The largest gap between a block's attribution sum and
    /// `p_end − p_patched` (what integrated gradients' completeness
    /// promises as the steps grow, for [`IgMode::Ig`]).
    pub fn completeness_error(&self) -> f64 {
        self.layers.iter().map(|l| (l.attr_sum - (l.p_end - l.p_patched)).abs()).fold(0.0, f64::max)
    }

    /// The example's bag (the released `convert_to_triplet_ig` then
    /// `2_get_cns.py`): neurons scoring at least `threshold` × the
    /// example's largest score, the `top` highest, as `(layer, index,
    /// score)`, highest first (ties by layer, then index).
    pub fn bag(&self, threshold: f64, top: usize) -> Vec<(usize, usize, f32)> {
        let max = self.layers.iter().flat_map(|l| l.scores.iter().copied()).fold(f32::NEG_INFINITY, f32::max);
        if !max.is_finite() {
            return Vec::new();
        }
        let cut = (f64::from(max) * threshold) as f32;
        let mut bag: Vec<(usize, usize, f32)> = self
            .layers
            .iter()
            .flat_map(|l| l.scores.iter().enumerate().filter(|(_, s)| **s >= cut).map(move |(j, &s)| (l.layer, j, s)))
            .collect();
        bag.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        bag.truncate(top);
        bag
    }
}

/// Each chosen block's `mlp.hook_post` at the last position of `tokens`,
/// and the probability of `target` there.
fn last_neurons(
    model: &Model<GradBackend>,
    tokens: &[u32],
    layers: &[usize],
    target: u32,
) -> Result<(Vec<Vec<f32>>, f64), ProbeError> {
    let last = tokens.len() - 1;
    let captures = layers
        .iter()
        .map(|&l| CaptureRequest { point: HookPoint::MlpPost(l), rows: RowSet::Positions(vec![last]) })
        .collect();
    let hooks = HookSet { captures, interventions: Vec::new() };
    let mut cache = model.new_cache();
    let out = model.run(Forward::causal(tokens).hooks(Some(&hooks)), &mut cache)?;
    let caps = out.captures.download(model.backend())?;
    let mut values = vec![Vec::new(); layers.len()];
    for c in caps {
        if let Some(i) = layers.iter().position(|&l| c.point == HookPoint::MlpPost(l)) {
            values[i] = c.values;
        }
    }
    let logits = out.logits.into_single().ok_or_else(|| ProbeError::Data("no logits from the pass".into()))?;
    Ok((values, probability(model.backend(), &logits, 0, target)?))
}

/// `softmax(logits[row])[target]`, read back.
fn probability(
    b: &GradBackend,
    logits: &<GradBackend as Backend>::Tensor,
    row: usize,
    target: u32,
) -> Result<f64, ProbeError> {
    let host = b.download(logits)?;
    if row >= host.rows || target as usize >= host.cols {
        return Err(ProbeError::Data(format!("logit ({row}, {target}) outside [{}, {}]", host.rows, host.cols)));
    }
    Ok(host_log_prob(host.row(row), target as usize).exp())
}

/// Attributes the probability of `target` after `with_context` to every
/// chosen block's MLP neurons at the last position, against the question
/// alone (`without_context`). Both prompts must be non-empty and share
/// their last token's role (the released code needs nothing more).
pub fn attribute(
    model: &Model<GradBackend>,
    with_context: &[u32],
    without_context: &[u32],
    target: u32,
    opts: &AttrOptions,
) -> Result<Attribution, ProbeError> {
    let c = model.config();
    if with_context.is_empty() || without_context.is_empty() {
        return Err(ProbeError::Options("IRCAN attribution needs two non-empty prompts".into()));
    }
    if opts.steps == 0 {
        return Err(ProbeError::Options("--steps must be at least 1".into()));
    }
    if let Some(&l) = opts.layers.iter().find(|&&l| l >= c.n_layers) {
        return Err(ProbeError::Options(format!("block {l}: the model has {}", c.n_layers)));
    }
    if target as usize >= c.vocab_size {
        return Err(ProbeError::Options(format!("target token {target} outside the vocabulary")));
    }
    let (wo, p_q) = last_neurons(model, without_context, &opts.layers, target)?;
    let (w, p_ctx) = last_neurons(model, with_context, &opts.layers, target)?;
    let n = with_context.len();
    let mut prefix = model.new_cache();
    if n > 1 {
        model.run(Forward::causal(&with_context[..n - 1]).no_logits(), &mut prefix)?;
    }
    let m = opts.steps;
    let alphas = opts.points.alphas(m);
    // Row m is the path's other end: α = 1 after left points, 0 after right.
    let end = match opts.points {
        Points::Left => 1.0,
        Points::Right => 0.0,
    };
    let rows: Vec<usize> = (0..=m).collect();
    let tokens = vec![with_context[n - 1]; m + 1];
    let positions = vec![n - 1; m + 1];
    let spans: Vec<KeySpan> =
        (0..=m).map(|k| KeySpan { shared: n - 1, own_start: n - 1 + k, own_end: n + k }).collect();
    let mut layers = Vec::with_capacity(opts.layers.len());
    for (i, &l) in opts.layers.iter().enumerate() {
        let diff: Vec<f32> = w[i].iter().zip(&wo[i]).map(|(a, b)| a - b).collect();
        let point = HookPoint::MlpPost(l);
        // Row k holds w + (α_k − 1)(w − wo) = wo + α_k (w − wo).
        let mut interventions: Vec<Intervention> = alphas
            .iter()
            .chain(std::iter::once(&end))
            .enumerate()
            .map(|(k, &a)| Intervention::AddVector {
                point,
                vector: diff.clone(),
                scale: (a - 1.0) as f32,
                rows: RowSet::Batch(vec![k]),
            })
            .collect();
        interventions.push(Intervention::GradientLeaf { point });
        let hooks = HookSet { captures: Vec::new(), interventions };
        let mut cache = prefix.clone();
        let out =
            model.run(Forward::spans(&tokens, &positions, &spans).logit_rows(&rows).hooks(Some(&hooks)), &mut cache)?;
        let logits = out.logits.into_single().ok_or_else(|| ProbeError::Data("no logits from the pass".into()))?;
        let picks: Vec<(usize, u32)> = (0..m).map(|k| (k, target)).collect();
        let g = gradients(&logits, &Objective::ProbabilitySum(picks), model.backend().take_leaves())?;
        let end_p = probability(model.backend(), &logits, m, target)?;
        let leaf = g.leaves.first().ok_or_else(|| ProbeError::Data("the pass made no gradient leaf".into()))?;
        let width = leaf.cols;
        let mut sum = vec![0f64; width];
        for (k, &a) in alphas.iter().enumerate() {
            let weight = match opts.mode {
                IgMode::Ig => 1.0,
                IgMode::IrcanReference => a,
            };
            for (s, gk) in sum.iter_mut().zip(&leaf.grads[k * width..(k + 1) * width]) {
                *s += weight * gk;
            }
        }
        let scores: Vec<f32> = sum.iter().zip(&diff).map(|(s, d)| (s * f64::from(*d) / m as f64) as f32).collect();
        let attr_sum = scores.iter().map(|&s| f64::from(s)).sum();
        let (p_first, p_last) = (g.terms[0], end_p);
        let (p_patched, p_end) = match opts.points {
            Points::Left => (p_first, p_last),
            Points::Right => (p_last, g.terms[m - 1]),
        };
        layers.push(LayerAttribution { layer: l, attr_sum, p_patched, p_end, scores });
    }
    Ok(Attribution { p_ctx, p_q, layers })
}
