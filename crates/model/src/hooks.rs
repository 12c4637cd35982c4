//! Hook points for reading and steering activations, named as in
//! TransformerLens (`blocks.{l}.hook_resid_pre`, `blocks.{l}.mlp.hook_post`, ...).
//!
//! A [`HookSet`] passed to a forward pass says which activations to copy to
//! the host ([`CaptureRequest`]) and which to change ([`Intervention`]).
//! Positions are absolute token positions in the sequence.

use std::fmt;
use std::str::FromStr;

/// Where in a block an activation lives. For the gated MLP,
/// `mlp.hook_pre` is the gate projection before SiLU, `mlp.hook_pre_linear`
/// the up projection, and `mlp.hook_post` the product that enters the down
/// projection (the "neurons"), following TransformerLens' gated-MLP names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookPoint {
    /// Residual stream entering block `l` (width `dim`).
    ResidPre(usize),
    /// Residual stream after attention, before the MLP (width `dim`).
    ResidMid(usize),
    /// Residual stream leaving block `l` (width `dim`).
    ResidPost(usize),
    /// Attention output added to the residual (width `dim`).
    AttnOut(usize),
    /// MLP output added to the residual (width `dim`).
    MlpOut(usize),
    /// Gate projection before the activation (width `ffn_dim`).
    MlpPre(usize),
    /// Up projection (width `ffn_dim`).
    MlpPreLinear(usize),
    /// `silu(gate) * up`, the MLP neurons (width `ffn_dim`).
    MlpPost(usize),
}

impl HookPoint {
    /// The block the point belongs to.
    pub fn layer(&self) -> usize {
        match *self {
            Self::ResidPre(l)
            | Self::ResidMid(l)
            | Self::ResidPost(l)
            | Self::AttnOut(l)
            | Self::MlpOut(l)
            | Self::MlpPre(l)
            | Self::MlpPreLinear(l)
            | Self::MlpPost(l) => l,
        }
    }

    /// Whether the activation is `ffn_dim` wide (else `dim`).
    pub fn is_mlp_hidden(&self) -> bool {
        matches!(self, Self::MlpPre(_) | Self::MlpPreLinear(_) | Self::MlpPost(_))
    }
}

impl fmt::Display for HookPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::ResidPre(l) => write!(f, "blocks.{l}.hook_resid_pre"),
            Self::ResidMid(l) => write!(f, "blocks.{l}.hook_resid_mid"),
            Self::ResidPost(l) => write!(f, "blocks.{l}.hook_resid_post"),
            Self::AttnOut(l) => write!(f, "blocks.{l}.hook_attn_out"),
            Self::MlpOut(l) => write!(f, "blocks.{l}.hook_mlp_out"),
            Self::MlpPre(l) => write!(f, "blocks.{l}.mlp.hook_pre"),
            Self::MlpPreLinear(l) => write!(f, "blocks.{l}.mlp.hook_pre_linear"),
            Self::MlpPost(l) => write!(f, "blocks.{l}.mlp.hook_post"),
        }
    }
}

impl FromStr for HookPoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || format!("unknown hook point {s:?} (expected e.g. blocks.0.hook_resid_post or blocks.3.mlp.hook_post)");
        let rest = s.strip_prefix("blocks.").ok_or_else(bad)?;
        let (layer, name) = rest.split_once('.').ok_or_else(bad)?;
        let l: usize = layer.parse().map_err(|_| bad())?;
        Ok(match name {
            "hook_resid_pre" => Self::ResidPre(l),
            "hook_resid_mid" => Self::ResidMid(l),
            "hook_resid_post" => Self::ResidPost(l),
            "hook_attn_out" => Self::AttnOut(l),
            "hook_mlp_out" => Self::MlpOut(l),
            "mlp.hook_pre" => Self::MlpPre(l),
            "mlp.hook_pre_linear" => Self::MlpPreLinear(l),
            "mlp.hook_post" => Self::MlpPost(l),
            _ => return Err(bad()),
        })
    }
}

/// Copy the activation at `point` to the host for the given positions
/// (every position of the pass when `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureRequest {
    /// Where.
    pub point: HookPoint,
    /// Which absolute positions.
    pub positions: Option<Vec<usize>>,
}

/// A change to activations, applied in every forward pass that carries it
/// (scoring and generation alike).
#[derive(Debug, Clone, PartialEq)]
pub enum Intervention {
    /// Add `scale * vector` at `point` for the given positions (all when `None`).
    AddVector {
        /// Where.
        point: HookPoint,
        /// The vector, as wide as the activation.
        vector: Vec<f32>,
        /// Multiplier.
        scale: f32,
        /// Which absolute positions.
        positions: Option<Vec<usize>>,
    },
    /// Multiply MLP neurons (`blocks.{layer}.mlp.hook_post`) by `factor`; 0 zeroes them.
    ScaleNeurons {
        /// The block.
        layer: usize,
        /// Neuron indices.
        neurons: Vec<usize>,
        /// Multiplier.
        factor: f32,
    },
}

/// A captured activation row.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// Where it was read.
    pub point: HookPoint,
    /// The absolute token position.
    pub position: usize,
    /// The values.
    pub values: Vec<f32>,
}

/// Captures and interventions for forward passes; captures accumulate in
/// `captured` across passes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HookSet {
    /// What to capture.
    pub captures: Vec<CaptureRequest>,
    /// What to change.
    pub interventions: Vec<Intervention>,
    /// What has been captured so far.
    pub captured: Vec<Capture>,
}

impl HookSet {
    /// Whether nothing is requested.
    pub fn is_empty(&self) -> bool {
        self.captures.is_empty() && self.interventions.is_empty()
    }

    /// Whether anything touches block `layer`.
    pub(crate) fn touches_layer(&self, layer: usize) -> bool {
        self.captures.iter().any(|c| c.point.layer() == layer)
            || self.interventions.iter().any(|i| match i {
                Intervention::AddVector { point, .. } => point.layer() == layer,
                Intervention::ScaleNeurons { layer: l, .. } => *l == layer,
            })
    }
}

/// Rows of a pass whose positions are in `wanted` (all rows when `None`).
pub(crate) fn rows_for(positions: &[usize], wanted: Option<&[usize]>) -> Vec<usize> {
    match wanted {
        None => (0..positions.len()).collect(),
        Some(w) => positions.iter().enumerate().filter(|(_, p)| w.contains(p)).map(|(i, _)| i).collect(),
    }
}
