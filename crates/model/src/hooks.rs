//! Hook points for reading and steering activations, named as in
//! TransformerLens (`hook_embed`, `blocks.{l}.hook_resid_pre`,
//! `blocks.{l}.attn.hook_q`, `blocks.{l}.mlp.hook_post`,
//! `ln_final.hook_normalized`, ...).
//!
//! A [`HookSet`] passed with a forward request ([`crate::Forward::hooks`])
//! says which activations to capture ([`CaptureRequest`]) and which to
//! change ([`Intervention`]). Each applies to a [`RowSet`]: every row, the
//! rows at given absolute positions, or given rows of the batch (so that
//! different perturbations of one prompt run as rows of one batch).
//!
//! Captures stay in the backend's memory during the pass
//! ([`crate::CapturedRows`]) and are read back once, after it
//! ([`crate::Captures::download`], or asynchronously where a blocking
//! read-back is impossible, as on WebGPU in a browser).

use std::fmt;
use std::str::FromStr;

use crate::config::ModelConfig;
use crate::error::ModelError;

/// Where in the model an activation lives. For the gated MLP,
/// `mlp.hook_pre` is the gate projection before SiLU, `mlp.hook_pre_linear`
/// the up projection, and `mlp.hook_post` the product that enters the down
/// projection (the "neurons"), following TransformerLens' gated-MLP names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookPoint {
    /// The token embeddings entering block 0 (width `dim`).
    Embed,
    /// Residual stream entering block `l` (width `dim`).
    ResidPre(usize),
    /// The residual stream after the attention's RMS norm, as the q, k and
    /// v projections read it (width `dim`).
    Ln1(usize),
    /// Query projection, bias added, before q-norm and rope (width `n_heads * head_dim`).
    AttnQ(usize),
    /// Key projection, bias added, before k-norm and rope (width `n_kv_heads * head_dim`).
    AttnK(usize),
    /// Value projection, bias added (width `n_kv_heads * head_dim`).
    AttnV(usize),
    /// Attention probabilities, `n_heads` rows of one weight per key (all
    /// keys in the cache after this pass; hidden keys weigh 0). Capture
    /// only: the attention kernels do not form it, so it is computed for
    /// the captured rows alone.
    AttnPattern(usize),
    /// Attention output per head, before the output projection (width `n_heads * head_dim`).
    AttnZ(usize),
    /// Attention output added to the residual (width `dim`).
    AttnOut(usize),
    /// Residual stream after attention, before the MLP (width `dim`).
    ResidMid(usize),
    /// The residual stream after the MLP's RMS norm, as the gate and up
    /// projections read it (width `dim`).
    Ln2(usize),
    /// Gate projection before the activation (width `ffn_dim`).
    MlpPre(usize),
    /// Up projection (width `ffn_dim`).
    MlpPreLinear(usize),
    /// `silu(gate) * up`, the MLP neurons (width `ffn_dim`).
    MlpPost(usize),
    /// MLP output added to the residual (width `dim`).
    MlpOut(usize),
    /// Residual stream leaving block `l` (width `dim`).
    ResidPost(usize),
    /// The last block's output after the final RMS norm, as the unembedding
    /// reads it (width `dim`).
    LnFinal,
}

impl HookPoint {
    /// The block the point belongs to (`None` for `hook_embed` and `ln_final`).
    pub fn layer(&self) -> Option<usize> {
        match *self {
            Self::Embed | Self::LnFinal => None,
            Self::ResidPre(l)
            | Self::Ln1(l)
            | Self::Ln2(l)
            | Self::AttnQ(l)
            | Self::AttnK(l)
            | Self::AttnV(l)
            | Self::AttnPattern(l)
            | Self::AttnZ(l)
            | Self::AttnOut(l)
            | Self::ResidMid(l)
            | Self::MlpPre(l)
            | Self::MlpPreLinear(l)
            | Self::MlpPost(l)
            | Self::MlpOut(l)
            | Self::ResidPost(l) => Some(l),
        }
    }

    /// Every point of block `l`, in the order the pass reaches them.
    pub fn of_block(l: usize) -> [HookPoint; 15] {
        [
            Self::ResidPre(l),
            Self::Ln1(l),
            Self::AttnQ(l),
            Self::AttnK(l),
            Self::AttnV(l),
            Self::AttnPattern(l),
            Self::AttnZ(l),
            Self::AttnOut(l),
            Self::ResidMid(l),
            Self::Ln2(l),
            Self::MlpPre(l),
            Self::MlpPreLinear(l),
            Self::MlpPost(l),
            Self::MlpOut(l),
            Self::ResidPost(l),
        ]
    }

    /// Whether the activation is `ffn_dim` wide.
    pub fn is_mlp_hidden(&self) -> bool {
        matches!(self, Self::MlpPre(_) | Self::MlpPreLinear(_) | Self::MlpPost(_))
    }

    /// The activation's width in a model of `c`; `None` for the attention
    /// pattern, whose width grows with the keys.
    pub fn width(&self, c: &ModelConfig) -> Option<usize> {
        Some(match self {
            Self::AttnPattern(_) => return None,
            Self::AttnQ(_) | Self::AttnZ(_) => c.n_heads * c.head_dim,
            Self::AttnK(_) | Self::AttnV(_) => c.n_kv_heads * c.head_dim,
            p if p.is_mlp_hidden() => c.ffn_dim,
            _ => c.dim,
        })
    }
}

impl fmt::Display for HookPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Embed => write!(f, "hook_embed"),
            Self::LnFinal => write!(f, "ln_final.hook_normalized"),
            Self::ResidPre(l) => write!(f, "blocks.{l}.hook_resid_pre"),
            Self::Ln1(l) => write!(f, "blocks.{l}.ln1.hook_normalized"),
            Self::Ln2(l) => write!(f, "blocks.{l}.ln2.hook_normalized"),
            Self::AttnQ(l) => write!(f, "blocks.{l}.attn.hook_q"),
            Self::AttnK(l) => write!(f, "blocks.{l}.attn.hook_k"),
            Self::AttnV(l) => write!(f, "blocks.{l}.attn.hook_v"),
            Self::AttnPattern(l) => write!(f, "blocks.{l}.attn.hook_pattern"),
            Self::AttnZ(l) => write!(f, "blocks.{l}.attn.hook_z"),
            Self::AttnOut(l) => write!(f, "blocks.{l}.hook_attn_out"),
            Self::ResidMid(l) => write!(f, "blocks.{l}.hook_resid_mid"),
            Self::MlpPre(l) => write!(f, "blocks.{l}.mlp.hook_pre"),
            Self::MlpPreLinear(l) => write!(f, "blocks.{l}.mlp.hook_pre_linear"),
            Self::MlpPost(l) => write!(f, "blocks.{l}.mlp.hook_post"),
            Self::MlpOut(l) => write!(f, "blocks.{l}.hook_mlp_out"),
            Self::ResidPost(l) => write!(f, "blocks.{l}.hook_resid_post"),
        }
    }
}

impl FromStr for HookPoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || format!("unknown hook point {s:?} (expected e.g. blocks.0.hook_resid_post or blocks.3.mlp.hook_post)");
        match s {
            "hook_embed" => return Ok(Self::Embed),
            "ln_final.hook_normalized" => return Ok(Self::LnFinal),
            _ => {}
        }
        let rest = s.strip_prefix("blocks.").ok_or_else(bad)?;
        let (layer, name) = rest.split_once('.').ok_or_else(bad)?;
        let l: usize = layer.parse().map_err(|_| bad())?;
        Ok(match name {
            "hook_resid_pre" => Self::ResidPre(l),
            "ln1.hook_normalized" => Self::Ln1(l),
            "ln2.hook_normalized" => Self::Ln2(l),
            "attn.hook_q" => Self::AttnQ(l),
            "attn.hook_k" => Self::AttnK(l),
            "attn.hook_v" => Self::AttnV(l),
            "attn.hook_pattern" => Self::AttnPattern(l),
            "attn.hook_z" => Self::AttnZ(l),
            "hook_attn_out" => Self::AttnOut(l),
            "hook_resid_mid" => Self::ResidMid(l),
            "mlp.hook_pre" => Self::MlpPre(l),
            "mlp.hook_pre_linear" => Self::MlpPreLinear(l),
            "mlp.hook_post" => Self::MlpPost(l),
            "hook_mlp_out" => Self::MlpOut(l),
            "hook_resid_post" => Self::ResidPost(l),
            _ => return Err(bad()),
        })
    }
}

/// Which rows of a forward pass a hook applies to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RowSet {
    /// Every row.
    #[default]
    All,
    /// The rows at these absolute sequence positions.
    Positions(Vec<usize>),
    /// These rows of the batch (indices into the request's tokens), so that
    /// rows holding different copies of one prompt can be told apart.
    Batch(Vec<usize>),
}

impl RowSet {
    /// The rows of a slice of the batch that belong to the set: the slice's
    /// row `i` is batch row `first_row + i`, at position `positions[i]`.
    pub(crate) fn select(&self, positions: &[usize], first_row: usize) -> Vec<usize> {
        let n = positions.len();
        match self {
            Self::All => (0..n).collect(),
            Self::Positions(want) => (0..n).filter(|&i| want.contains(&positions[i])).collect(),
            Self::Batch(want) => (0..n).filter(|&i| want.contains(&(first_row + i))).collect(),
        }
    }
}

/// Copy the activation at `point` of the given rows.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureRequest {
    /// Where.
    pub point: HookPoint,
    /// Which rows.
    pub rows: RowSet,
}

/// A change to activations, applied in every forward pass that carries it
/// (scoring and generation alike).
#[derive(Debug, Clone, PartialEq)]
pub enum Intervention {
    /// Add `scale * vector` at `point` to the given rows.
    AddVector {
        /// Where.
        point: HookPoint,
        /// The vector, as wide as the activation.
        vector: Vec<f32>,
        /// Multiplier.
        scale: f32,
        /// Which rows.
        rows: RowSet,
    },
    /// Multiply MLP neurons (`blocks.{layer}.mlp.hook_post`) of the given
    /// rows by `factor`; 0 zeroes them.
    ScaleNeurons {
        /// The block.
        layer: usize,
        /// Neuron indices.
        neurons: Vec<usize>,
        /// Multiplier.
        factor: f32,
        /// Which rows.
        rows: RowSet,
    },
    /// Make the activation at `point` (every row) a leaf of the backend's
    /// gradient tape, so that the gradient of a scalar computed from the
    /// pass's logits can be read with respect to it. Runs after the
    /// point's other interventions, whatever its place in the list. Only a
    /// backend that records gradients takes it (the CPU `GradBackend`);
    /// the others answer [`crate::BackendError::NoGradients`].
    GradientLeaf {
        /// Where.
        point: HookPoint,
    },
}

impl Intervention {
    /// Where the intervention applies.
    pub fn point(&self) -> HookPoint {
        match self {
            Self::AddVector { point, .. } => *point,
            Self::ScaleNeurons { layer, .. } => HookPoint::MlpPost(*layer),
            Self::GradientLeaf { point } => *point,
        }
    }
}

/// A captured activation row, read back to the host.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// Where it was read.
    pub point: HookPoint,
    /// The absolute token position.
    pub position: usize,
    /// The row of the batch (index into the request's tokens).
    pub row: usize,
    /// The values.
    pub values: Vec<f32>,
}

/// What to capture and what to change in a forward pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HookSet {
    /// What to capture.
    pub captures: Vec<CaptureRequest>,
    /// What to change.
    pub interventions: Vec<Intervention>,
}

impl HookSet {
    /// Whether nothing is requested.
    pub fn is_empty(&self) -> bool {
        self.captures.is_empty() && self.interventions.is_empty()
    }

    /// Whether anything applies at `point`.
    pub(crate) fn touches(&self, point: HookPoint) -> bool {
        self.captures.iter().any(|c| c.point == point) || self.interventions.iter().any(|i| i.point() == point)
    }

    /// Checks every hook against the model before a pass: blocks that
    /// exist, vectors as wide as their activation, neurons inside the MLP,
    /// no intervention on the capture-only attention pattern.
    pub(crate) fn check(&self, c: &ModelConfig) -> Result<(), ModelError> {
        let points = self.captures.iter().map(|r| r.point).chain(self.interventions.iter().map(Intervention::point));
        for point in points {
            if let Some(l) = point.layer().filter(|&l| l >= c.n_layers) {
                return Err(ModelError::Hook(format!(
                    "{point}: block {l} does not exist, the model has {}",
                    c.n_layers
                )));
            }
        }
        for iv in &self.interventions {
            match iv {
                Intervention::AddVector { point, vector, .. } => {
                    let Some(width) = point.width(c) else {
                        return Err(ModelError::Hook(format!("{point} can be captured, not changed")));
                    };
                    if vector.len() != width {
                        return Err(ModelError::Hook(format!(
                            "vector for {point} has {} values, the activation has {width}",
                            vector.len()
                        )));
                    }
                }
                Intervention::ScaleNeurons { layer, neurons, .. } => {
                    if let Some(&n) = neurons.iter().find(|&&n| n >= c.ffn_dim) {
                        return Err(ModelError::Hook(format!(
                            "neuron {n} of block {layer}: the MLP has {}",
                            c.ffn_dim
                        )));
                    }
                }
                Intervention::GradientLeaf { point } => {
                    if point.width(c).is_none() {
                        return Err(ModelError::Hook(format!("{point} can be captured, not differentiated")));
                    }
                }
            }
        }
        Ok(())
    }
}
