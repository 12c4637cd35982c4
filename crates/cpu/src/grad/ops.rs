//! RMS norm and rope as differentiable candle expressions, computing what
//! the [`crate::CpuBackend`]'s loops compute (`elementwise.rs`).

use candle_core::{D, Result, Tensor};
use kaoshi_model::RopeSpec;

/// `x / sqrt(mean(x²) + eps) * weight` over groups of `group` values of
/// each row (a whole row, or one head for q/k norms).
pub(crate) fn rms_norm(x: &Tensor, weight: &Tensor, eps: f32, group: usize) -> Result<Tensor> {
    let (r, c) = x.dims2()?;
    let wc = weight.elem_count();
    if group == 0 || c % group != 0 || wc != group {
        candle_core::bail!("rms_norm of width {c} in groups of {group} with weight of {wc}");
    }
    let g = x.reshape((r, c / group, group))?;
    let scale = (g.sqr()?.mean_keepdim(D::Minus1)? + f64::from(eps))?.sqrt()?.recip()?;
    let w = weight.reshape((1, 1, group))?;
    g.broadcast_mul(&scale)?.broadcast_mul(&w)?.reshape((r, c))
}

/// Rotary embeddings on every head of every row, row `i` at
/// `positions[i]`. The angles are computed in f32 as the CPU backend
/// computes them, then carried in the tensor's type.
pub(crate) fn rope(x: &Tensor, positions: &[usize], head_dim: usize, spec: &RopeSpec) -> Result<Tensor> {
    let (n, c) = x.dims2()?;
    if n != positions.len() || head_dim == 0 || c % head_dim != 0 || spec.rot_dim > head_dim || spec.rot_dim % 2 != 0 {
        candle_core::bail!("rope on [{n}, {c}] with {} positions, head {head_dim}", positions.len());
    }
    let heads = c / head_dim;
    let half = spec.rot_dim / 2;
    let mut cos = Vec::with_capacity(n * half);
    let mut sin = Vec::with_capacity(n * half);
    for &pos in positions {
        let p = pos as f32 * spec.position_scale;
        for f in &spec.inv_freq[..half] {
            let (s, co) = (p * f).sin_cos();
            sin.push(s);
            cos.push(co);
        }
    }
    let table = |v: Vec<f32>| Tensor::from_vec(v, (n, 1, half), x.device())?.to_dtype(x.dtype());
    let (cos, sin) = (table(cos)?, table(sin)?);
    let h = x.reshape((n, heads, head_dim))?;
    let rot = h.narrow(2, 0, spec.rot_dim)?;
    let (x0, x1) = if spec.neox {
        (rot.narrow(2, 0, half)?, rot.narrow(2, half, half)?)
    } else {
        let pairs = rot.reshape((n, heads, half, 2))?;
        (pairs.narrow(3, 0, 1)?.squeeze(3)?, pairs.narrow(3, 1, 1)?.squeeze(3)?)
    };
    let y0 = (x0.broadcast_mul(&cos)? - x1.broadcast_mul(&sin)?)?;
    let y1 = (x0.broadcast_mul(&sin)? + x1.broadcast_mul(&cos)?)?;
    let rotated = if spec.neox {
        Tensor::cat(&[&y0, &y1], 2)?
    } else {
        Tensor::stack(&[&y0, &y1], 3)?.reshape((n, heads, spec.rot_dim))?
    };
    let out = if spec.rot_dim < head_dim {
        Tensor::cat(&[&rotated, &h.narrow(2, spec.rot_dim, head_dim - spec.rot_dim)?], 2)?
    } else {
        rotated
    };
    out.reshape((n, c))
}
