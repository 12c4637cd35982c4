//! The transformer blocks over one slice of a batch, with the hook points
//! where captures are taken and interventions applied.
//!
//! Fusion and hooks: the output projections add the residual in the same
//! step (`Backend::linear_fused`) and the up projection applies the SiLU
//! gate, unless a hook needs the product alone (`hook_attn_out`,
//! `mlp.hook_pre_linear`, `hook_mlp_out`): then that one product runs
//! unfused and the sum or gate follows as its own op. Every other hook point
//! is an activation the fused path computes anyway. `ln_final.hook_normalized`
//! runs the final norm as its own op (it is folded into the unembedding on
//! a GPU decoding with `KAOSHI_GPU_FOLD_NORM=1`).

use crate::backend::{Backend, FuseRows, KeySpan};
use crate::error::ModelError;
use crate::hooks::{HookPoint, HookSet, Intervention, RowSet};
use crate::kv::KvCache;
use crate::model::Model;
use crate::normed::{NormedInput, residual};
use crate::request::CapturedRows;

/// The hooks of a pass and what they captured so far.
pub(crate) struct Hooks<'h, T> {
    pub(crate) set: Option<&'h HookSet>,
    pub(crate) captured: Vec<CapturedRows<T>>,
}

/// The rows of the batch a slice holds: row `i` is batch row
/// `first_row + i`, at `positions[i]`; `keys` is the cache's length after
/// the whole batch (an attention pattern's width, whatever the slice).
pub(crate) struct Slice<'a> {
    pub(crate) positions: &'a [usize],
    pub(crate) first_row: usize,
    pub(crate) keys: usize,
}

impl<B: Backend> Model<B> {
    /// The blocks over one slice of a batch (appending its keys and values
    /// to `cache`), returning the last block's output, all rows, and
    /// whether the final norm was applied to it (a `ln_final` hook).
    pub(crate) fn run_blocks(
        &self,
        tokens: &[u32],
        spans: &[KeySpan],
        s: &Slice<'_>,
        cache: &mut KvCache<B>,
        hooks: &mut Hooks<'_, B::Tensor>,
    ) -> Result<(B::Tensor, bool), ModelError> {
        let b = &self.backend;
        let c = &self.config;
        let positions = s.positions;
        let set = hooks.set;
        let touches = |p: HookPoint| set.is_some_and(|h| h.touches(p));
        let mut x = self.hook(HookPoint::Embed, b.embed(&self.weights.embed, tokens)?, s, hooks)?;
        for (l, w) in self.weights.blocks.iter().enumerate() {
            x = self.hook(HookPoint::ResidPre(l), x, s, hooks)?;
            let h = self.normed(HookPoint::Ln1(l), &x, &w.attn_norm, s, hooks)?;
            let bias = |i: usize| w.bias.as_ref().map(|bs| &bs[i]);
            let mut q = self.hook(HookPoint::AttnQ(l), h.linear(b, &w.wq, bias(0), None)?, s, hooks)?;
            let mut k = self.hook(HookPoint::AttnK(l), h.linear(b, &w.wk, bias(1), None)?, s, hooks)?;
            let v = self.hook(HookPoint::AttnV(l), h.linear(b, &w.wv, bias(2), None)?, s, hooks)?;
            if let Some([nq, nk]) = &w.qk_norm {
                q = b.rms_norm(&q, nq, c.rms_eps, c.head_dim)?;
                k = b.rms_norm(&k, nk, c.rms_eps, c.head_dim)?;
            }
            let (q, k) = b.rope_pair(&q, &k, positions, c.head_dim, &self.rope)?;
            let (k_all, v_all) = match &cache.layers[l] {
                Some((kc, vc)) => (b.concat_rows(kc, &k)?, b.concat_rows(vc, &v)?),
                None => (k, v),
            };
            self.capture_pattern(l, &q, &k_all, spans, s, hooks)?;
            let a = b.attention(&q, &k_all, &v_all, c.n_heads, c.n_kv_heads, c.head_dim, spans)?;
            cache.layers[l] = Some((k_all, v_all));
            let a = self.hook(HookPoint::AttnZ(l), a, s, hooks)?;
            x = if touches(HookPoint::AttnOut(l)) {
                let attn_out = self.hook(HookPoint::AttnOut(l), b.linear(&a, &w.wo)?, s, hooks)?;
                b.add(&x, &attn_out)?
            } else {
                b.linear_fused(&a, &w.wo, residual(&x))?
            };
            x = self.hook(HookPoint::ResidMid(l), x, s, hooks)?;
            let h = self.normed(HookPoint::Ln2(l), &x, &w.ffn_norm, s, hooks)?;
            let gate = self.hook(HookPoint::MlpPre(l), h.linear(b, &w.gate, None, None)?, s, hooks)?;
            let m = if touches(HookPoint::MlpPreLinear(l)) {
                let up = self.hook(HookPoint::MlpPreLinear(l), h.linear(b, &w.up, None, None)?, s, hooks)?;
                b.silu_mul(&gate, &up)?
            } else {
                h.linear(b, &w.up, None, Some(FuseRows::SiluGate(&gate)))?
            };
            let m = self.hook(HookPoint::MlpPost(l), m, s, hooks)?;
            x = if touches(HookPoint::MlpOut(l)) {
                let mlp_out = self.hook(HookPoint::MlpOut(l), b.linear(&m, &w.down)?, s, hooks)?;
                b.add(&x, &mlp_out)?
            } else {
                b.linear_fused(&m, &w.down, residual(&x))?
            };
            x = self.hook(HookPoint::ResidPost(l), x, s, hooks)?;
        }
        cache.len += tokens.len();
        if !touches(HookPoint::LnFinal) {
            return Ok((x, false));
        }
        let n = self.norm(&self.weights.output_norm);
        let normed = b.rms_norm(&x, n.weight, n.eps, n.group)?;
        Ok((self.hook(HookPoint::LnFinal, normed, s, hooks)?, true))
    }

    /// The block input `x` after the RMS norm with `weight`, as its
    /// projections read it: hooked at `point` (`ln1`/`ln2`) when a hook
    /// touches it, which normalizes it here rather than in the products.
    fn normed<'x>(
        &self,
        point: HookPoint,
        x: &'x B::Tensor,
        weight: &'x B::Tensor,
        s: &Slice<'_>,
        hooks: &mut Hooks<'_, B::Tensor>,
    ) -> Result<NormedInput<'x, B>, ModelError> {
        let b = &self.backend;
        let n = self.norm(weight);
        if !hooks.set.is_some_and(|h| h.touches(point)) {
            return Ok(NormedInput::new(b, x, n)?);
        }
        let h = b.rms_norm(x, n.weight, n.eps, n.group)?;
        Ok(NormedInput::Normalized(self.hook(point, h, s, hooks)?))
    }

    /// Applies the interventions at `point` to `x` (a gradient leaf last),
    /// then captures it.
    fn hook(
        &self,
        point: HookPoint,
        mut x: B::Tensor,
        s: &Slice<'_>,
        hooks: &mut Hooks<'_, B::Tensor>,
    ) -> Result<B::Tensor, ModelError> {
        let Some(set) = hooks.set.filter(|h| h.touches(point)) else { return Ok(x) };
        let b = &self.backend;
        for iv in set.interventions.iter().filter(|i| i.point() == point) {
            match iv {
                Intervention::AddVector { vector, scale, rows, .. } => {
                    let Some(rows) = local_rows(rows, s) else { continue };
                    let scaled: Vec<f32> = vector.iter().map(|v| v * scale).collect();
                    let v = b.upload(&scaled, 1, scaled.len())?;
                    x = b.add_row_vector(&x, &v, rows.as_deref())?;
                }
                Intervention::ScaleNeurons { neurons, factor, rows, .. } => {
                    let Some(rows) = local_rows(rows, s) else { continue };
                    x = b.scale_columns(&x, neurons, *factor, rows.as_deref())?;
                }
                Intervention::GradientLeaf { .. } => {}
            }
        }
        if set.interventions.iter().any(|i| matches!(i, Intervention::GradientLeaf { point: p } if *p == point)) {
            x = b.gradient_leaf(&x, point)?;
        }
        for req in set.captures.iter().filter(|r| r.point == point) {
            let local = req.rows.select(s.positions, s.first_row);
            if !local.is_empty() {
                let values = b.select_rows(&x, &local)?;
                hooks.captured.push(captured(point, &local, s, values));
            }
        }
        Ok(x)
    }

    /// `blocks.{l}.attn.hook_pattern`: the attention probabilities of the
    /// captured rows, computed for those rows alone.
    fn capture_pattern(
        &self,
        l: usize,
        q: &B::Tensor,
        k_all: &B::Tensor,
        spans: &[KeySpan],
        s: &Slice<'_>,
        hooks: &mut Hooks<'_, B::Tensor>,
    ) -> Result<(), ModelError> {
        let point = HookPoint::AttnPattern(l);
        let Some(set) = hooks.set.filter(|h| h.touches(point)) else { return Ok(()) };
        let (b, c) = (&self.backend, &self.config);
        for req in set.captures.iter().filter(|r| r.point == point) {
            let local = req.rows.select(s.positions, s.first_row);
            if local.is_empty() {
                continue;
            }
            let q_rows = b.select_rows(q, &local)?;
            let row_spans: Vec<KeySpan> = local.iter().map(|&i| spans[i]).collect();
            let pattern =
                b.attention_pattern(&q_rows, k_all, c.n_heads, c.n_kv_heads, c.head_dim, &row_spans, s.keys)?;
            hooks.captured.push(captured(point, &local, s, pattern));
        }
        Ok(())
    }
}

/// The slice's rows an intervention applies to: `Some(None)` for every
/// row, `Some(Some(rows))` for some, `None` when it skips this slice.
fn local_rows(rows: &RowSet, s: &Slice<'_>) -> Option<Option<Vec<usize>>> {
    if *rows == RowSet::All {
        return Some(None);
    }
    let local = rows.select(s.positions, s.first_row);
    (!local.is_empty()).then_some(Some(local))
}

fn captured<T>(point: HookPoint, local: &[usize], s: &Slice<'_>, values: T) -> CapturedRows<T> {
    CapturedRows {
        point,
        positions: local.iter().map(|&i| s.positions[i]).collect(),
        rows: local.iter().map(|&i| s.first_row + i).collect(),
        values,
    }
}
