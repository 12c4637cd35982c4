//! The forward pass: one implementation for every supported architecture.

use kaoshi_formats::GgufFile;

use crate::backend::{Backend, HostTensor, KeySpan, RopeSpec};
use crate::config::{ModelConfig, RopeLayout, RopeScaling};
use crate::error::ModelError;
use crate::hooks::{Capture, HookPoint, HookSet, Intervention, rows_for};
use crate::kv::KvCache;
use crate::weights::Weights;

/// A loaded model: configuration, weights in the backend's memory, and the
/// backend itself.
pub struct Model<B: Backend> {
    config: ModelConfig,
    backend: B,
    weights: Weights<B>,
    rope: RopeSpec,
}

impl<B: Backend> Model<B> {
    /// Reads the configuration and loads every weight through `backend`.
    pub fn load(file: &GgufFile, backend: B) -> Result<Self, ModelError> {
        Self::load_with_progress(file, backend, &mut |_, _| {})
    }

    /// As [`Model::load`], calling `progress(done, total)` as blocks load.
    pub fn load_with_progress(
        file: &GgufFile,
        backend: B,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Self, ModelError> {
        let config = ModelConfig::from_gguf(file)?;
        let weights = Weights::load(file, &config, &backend, progress)?;
        let rope = rope_spec(file, &config, &backend)?;
        Ok(Self { config, backend, weights, rope })
    }

    /// The configuration.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// An empty key/value cache.
    pub fn new_cache(&self) -> KvCache<B> {
        KvCache::new(self.config.n_layers)
    }

    /// Runs `tokens` as the continuation of `cache` with causal attention,
    /// returning the logits of the rows in `logit_rows` (indices into `tokens`).
    pub fn forward_causal(
        &self,
        tokens: &[u32],
        cache: &mut KvCache<B>,
        hooks: Option<&mut HookSet>,
        logit_rows: &[usize],
    ) -> Result<HostTensor, ModelError> {
        let start = cache.len();
        let positions: Vec<usize> = (start..start + tokens.len()).collect();
        let spans: Vec<KeySpan> = positions.iter().map(|&i| KeySpan::causal(i)).collect();
        self.forward(tokens, &positions, &spans, cache, hooks, logit_rows)
    }

    /// As [`Model::forward_causal`], leaving the logits on the backend
    /// ([`Model::forward_device`]).
    pub fn forward_causal_device(
        &self,
        tokens: &[u32],
        cache: &mut KvCache<B>,
        hooks: Option<&mut HookSet>,
        logit_rows: &[usize],
    ) -> Result<Option<B::Tensor>, ModelError> {
        let start = cache.len();
        let positions: Vec<usize> = (start..start + tokens.len()).collect();
        let spans: Vec<KeySpan> = positions.iter().map(|&i| KeySpan::causal(i)).collect();
        self.forward_device(tokens, &positions, &spans, cache, hooks, logit_rows)
    }

    /// The general forward pass: row `i` is token `tokens[i]` at sequence
    /// position `positions[i]`, stored at cache index `cache.len() + i`, and
    /// attending to the keys `spans[i]` allows. Returns the logits of the rows
    /// in `logit_rows`.
    pub fn forward(
        &self,
        tokens: &[u32],
        positions: &[usize],
        spans: &[KeySpan],
        cache: &mut KvCache<B>,
        hooks: Option<&mut HookSet>,
        logit_rows: &[usize],
    ) -> Result<HostTensor, ModelError> {
        match self.forward_device(tokens, positions, spans, cache, hooks, logit_rows)? {
            Some(logits) => Ok(self.backend.download(&logits)?),
            None => Ok(HostTensor { rows: 0, cols: self.config.vocab_size, data: Vec::new() }),
        }
    }

    /// As [`Model::forward`], leaving the logits `[logit_rows.len(), vocab]`
    /// in the backend's memory (`None` when `logit_rows` is empty). A
    /// backend that can only read back asynchronously (WebGPU in a browser)
    /// uses this and reads the tensor itself.
    pub fn forward_device(
        &self,
        tokens: &[u32],
        positions: &[usize],
        spans: &[KeySpan],
        cache: &mut KvCache<B>,
        mut hooks: Option<&mut HookSet>,
        logit_rows: &[usize],
    ) -> Result<Option<B::Tensor>, ModelError> {
        self.check_batch(tokens, positions, spans, cache, logit_rows)?;
        let b = &self.backend;
        let c = &self.config;
        let mut x = b.embed(&self.weights.embed, tokens)?;
        for (l, w) in self.weights.blocks.iter().enumerate() {
            let mut hk = hooks.as_deref_mut().filter(|h| h.touches_layer(l));
            x = self.hook(HookPoint::ResidPre(l), x, positions, hk.as_deref_mut())?;
            let h = b.rms_norm(&x, &w.attn_norm, c.rms_eps, c.dim)?;
            let (mut q, mut k, v) = match &w.bias {
                Some([bq, bk, bv]) => {
                    (b.linear_bias(&h, &w.wq, bq)?, b.linear_bias(&h, &w.wk, bk)?, b.linear_bias(&h, &w.wv, bv)?)
                }
                None => (b.linear(&h, &w.wq)?, b.linear(&h, &w.wk)?, b.linear(&h, &w.wv)?),
            };
            if let Some([nq, nk]) = &w.qk_norm {
                q = b.rms_norm(&q, nq, c.rms_eps, c.head_dim)?;
                k = b.rms_norm(&k, nk, c.rms_eps, c.head_dim)?;
            }
            let (q, k) = b.rope_pair(&q, &k, positions, c.head_dim, &self.rope)?;
            let (k_all, v_all) = match &cache.layers[l] {
                Some((kc, vc)) => (b.concat_rows(kc, &k)?, b.concat_rows(vc, &v)?),
                None => (k, v),
            };
            let a = b.attention(&q, &k_all, &v_all, c.n_heads, c.n_kv_heads, c.head_dim, spans)?;
            cache.layers[l] = Some((k_all, v_all));
            // Without hooks on this block, the residual adds are part of
            // the output projections (one step on backends that fuse them).
            x = match hk.as_deref_mut() {
                None => b.linear_residual(&a, &w.wo, &x)?,
                Some(h) => {
                    let attn_out = self.hook(HookPoint::AttnOut(l), b.linear(&a, &w.wo)?, positions, Some(&mut *h))?;
                    self.hook(HookPoint::ResidMid(l), b.add(&x, &attn_out)?, positions, Some(h))?
                }
            };
            let h = b.rms_norm(&x, &w.ffn_norm, c.rms_eps, c.dim)?;
            let gate = b.linear(&h, &w.gate)?;
            let gate = self.hook(HookPoint::MlpPre(l), gate, positions, hk.as_deref_mut())?;
            let up = b.linear(&h, &w.up)?;
            let up = self.hook(HookPoint::MlpPreLinear(l), up, positions, hk.as_deref_mut())?;
            let m = b.silu_mul(&gate, &up)?;
            let m = self.hook(HookPoint::MlpPost(l), m, positions, hk.as_deref_mut())?;
            x = match hk {
                None => b.linear_residual(&m, &w.down, &x)?,
                Some(h) => {
                    let mlp_out = self.hook(HookPoint::MlpOut(l), b.linear(&m, &w.down)?, positions, Some(&mut *h))?;
                    self.hook(HookPoint::ResidPost(l), b.add(&x, &mlp_out)?, positions, Some(h))?
                }
            };
        }
        cache.len += tokens.len();
        if logit_rows.is_empty() {
            return Ok(None);
        }
        let x = b.select_rows(&x, logit_rows)?;
        let x = b.rms_norm(&x, &self.weights.output_norm, c.rms_eps, c.dim)?;
        let out = self.weights.output.as_ref().unwrap_or(&self.weights.embed);
        Ok(Some(b.linear(&x, out)?))
    }

    fn check_batch(
        &self,
        tokens: &[u32],
        positions: &[usize],
        spans: &[KeySpan],
        cache: &KvCache<B>,
        logit_rows: &[usize],
    ) -> Result<(), ModelError> {
        let vocab = self.config.vocab_size;
        if let Some(&id) = tokens.iter().find(|&&t| t as usize >= vocab) {
            return Err(ModelError::TokenOutOfRange { id, vocab });
        }
        if positions.len() != tokens.len() || spans.len() != tokens.len() {
            return Err(ModelError::Hook(format!(
                "batch of {} tokens has {} positions and {} key spans",
                tokens.len(),
                positions.len(),
                spans.len()
            )));
        }
        let max_pos = positions.iter().copied().max().unwrap_or(0);
        if max_pos >= self.config.context_length {
            return Err(ModelError::ContextOverflow { len: max_pos + 1, max: self.config.context_length });
        }
        let total = cache.len() + tokens.len();
        if spans.iter().any(|s| s.shared > total || s.own_end > total || s.own_start > s.own_end) {
            return Err(ModelError::Hook(format!("a key span reaches past the {total} cached tokens")));
        }
        if let Some(&r) = logit_rows.iter().find(|&&r| r >= tokens.len()) {
            return Err(ModelError::Hook(format!("logit row {r} is outside the batch of {}", tokens.len())));
        }
        Ok(())
    }

    /// Applies the interventions at `point`, then records the captures.
    fn hook(
        &self,
        point: HookPoint,
        mut x: B::Tensor,
        positions: &[usize],
        hooks: Option<&mut HookSet>,
    ) -> Result<B::Tensor, ModelError> {
        let Some(hooks) = hooks else { return Ok(x) };
        let b = &self.backend;
        let width = if point.is_mlp_hidden() { self.config.ffn_dim } else { self.config.dim };
        for iv in &hooks.interventions {
            match iv {
                Intervention::AddVector { point: p, vector, scale, positions: want } if *p == point => {
                    if vector.len() != width {
                        return Err(ModelError::Hook(format!(
                            "vector for {point} has {} values, the activation has {width}",
                            vector.len()
                        )));
                    }
                    let rows = rows_for(positions, want.as_deref());
                    if rows.is_empty() {
                        continue;
                    }
                    let scaled: Vec<f32> = vector.iter().map(|v| v * scale).collect();
                    let v = b.upload(&scaled, 1, width)?;
                    x = b.add_row_vector(&x, &v, Some(&rows))?;
                }
                Intervention::ScaleNeurons { layer, neurons, factor } if point == HookPoint::MlpPost(*layer) => {
                    if let Some(&n) = neurons.iter().find(|&&n| n >= width) {
                        return Err(ModelError::Hook(format!("neuron {n} of block {layer}: the MLP has {width}")));
                    }
                    x = b.scale_columns(&x, neurons, *factor)?;
                }
                _ => {}
            }
        }
        for req in hooks.captures.iter().filter(|r| r.point == point) {
            let rows = rows_for(positions, req.positions.as_deref());
            if rows.is_empty() {
                continue;
            }
            let host = b.download(&b.select_rows(&x, &rows)?)?;
            for (i, &r) in rows.iter().enumerate() {
                hooks.captured.push(Capture { point, position: positions[r], values: host.row(i).to_vec() });
            }
        }
        Ok(x)
    }
}

fn rope_spec<B: Backend>(file: &GgufFile, c: &ModelConfig, b: &B) -> Result<RopeSpec, ModelError> {
    let half = c.rope_dim / 2;
    let mut inv_freq: Vec<f32> =
        (0..half).map(|i| 1.0 / c.rope_theta.powf(2.0 * i as f32 / c.rope_dim as f32)).collect();
    let mut position_scale = 1.0;
    match c.rope_scaling {
        RopeScaling::None => {}
        RopeScaling::Linear { factor } => position_scale = 1.0 / factor,
        RopeScaling::FreqFactors => {
            let factors = b.download(&b.load_vector(file, "rope_freqs.weight")?)?;
            for (f, d) in inv_freq.iter_mut().zip(&factors.data) {
                *f /= d;
            }
        }
    }
    Ok(RopeSpec { inv_freq, neox: c.rope_layout == RopeLayout::Neox, rot_dim: c.rope_dim, position_scale })
}
