//! The forward pass: one implementation for every supported architecture.

use kaoshi_formats::GgufFile;

use crate::backend::{Backend, FuseRows, HostTensor, KeySpan, NormSpec, RopeSpec};
use crate::config::{ModelConfig, RopeLayout, RopeScaling};
use crate::error::ModelError;
use crate::hooks::{Capture, HookPoint, HookSet, Intervention, rows_for};
use crate::kv::KvCache;
use crate::logit_blocks::LogitBlocks;
use crate::normed::{NormedInput, residual};
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
        let (positions, spans) = causal(cache.len(), tokens.len());
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
        let (positions, spans) = causal(cache.len(), tokens.len());
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
        let blocks = self.forward_blocks(tokens, positions, spans, cache, hooks, logit_rows)?;
        let mut all = HostTensor { rows: 0, cols: self.config.vocab_size, data: Vec::new() };
        for block in &blocks.blocks {
            let part = self.backend.download(block)?;
            all.rows += part.rows;
            all.data.extend_from_slice(&part.data);
        }
        Ok(all)
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
        hooks: Option<&mut HookSet>,
        logit_rows: &[usize],
    ) -> Result<Option<B::Tensor>, ModelError> {
        match self.forward_hidden(tokens, positions, spans, cache, hooks, logit_rows)? {
            Some((x, rows)) => Ok(Some(self.logits_of(&x, &rows)?)),
            None => Ok(None),
        }
    }

    /// As [`Model::forward_device`], the logits in blocks of at most
    /// [`Backend::max_batch_rows`] rows (no block when `logit_rows` is
    /// empty): for many rows over a large vocabulary, more than one GPU
    /// binding holds. The blocks run after the whole pass, one at a time.
    pub fn forward_blocks(
        &self,
        tokens: &[u32],
        positions: &[usize],
        spans: &[KeySpan],
        cache: &mut KvCache<B>,
        hooks: Option<&mut HookSet>,
        logit_rows: &[usize],
    ) -> Result<LogitBlocks<B::Tensor>, ModelError> {
        let rows_per_block = self.backend.max_batch_rows(self.config.vocab_size).max(1);
        let mut blocks = Vec::new();
        if let Some((x, rows)) = self.forward_hidden(tokens, positions, spans, cache, hooks, logit_rows)? {
            for rows in rows.chunks(rows_per_block) {
                blocks.push(self.logits_of(&x, rows)?);
            }
        }
        Ok(LogitBlocks { rows_per_block, blocks })
    }

    /// As [`Model::forward_blocks`] with causal attention after `cache`.
    pub fn forward_causal_blocks(
        &self,
        tokens: &[u32],
        cache: &mut KvCache<B>,
        hooks: Option<&mut HookSet>,
        logit_rows: &[usize],
    ) -> Result<LogitBlocks<B::Tensor>, ModelError> {
        let (positions, spans) = causal(cache.len(), tokens.len());
        self.forward_blocks(tokens, &positions, &spans, cache, hooks, logit_rows)
    }

    /// The pass up to the last block's output, and which of its rows are
    /// `logit_rows` (in that order); `None` when no logits are wanted.
    ///
    /// A batch with more rows than the backend holds in one activation
    /// ([`Backend::max_batch_rows`] of the widest one: the MLP's, say
    /// `[rows, 18944]` for the 7B shape) runs as consecutive chunks through
    /// the cache, each row seeing the same keys as in one pass, when every
    /// row's span ends within its chunk (causal prompts and scoring do) and
    /// no hooks are set (they see whole batches).
    fn forward_hidden(
        &self,
        tokens: &[u32],
        positions: &[usize],
        spans: &[KeySpan],
        cache: &mut KvCache<B>,
        hooks: Option<&mut HookSet>,
        logit_rows: &[usize],
    ) -> Result<Option<Hidden<B::Tensor>>, ModelError> {
        self.check_batch(tokens, positions, spans, cache, logit_rows)?;
        let c = &self.config;
        let widest = c.dim.max(c.n_heads * c.head_dim).max(c.n_kv_heads * c.head_dim).max(c.ffn_dim);
        let per = self.backend.max_batch_rows(widest).max(1);
        let (n, start) = (tokens.len(), cache.len());
        let fits_chunks = spans.iter().enumerate().all(|(i, s)| s.shared.max(s.own_end) <= start + (i / per + 1) * per);
        if n <= per || hooks.is_some() || !fits_chunks {
            let x = self.run_blocks(tokens, positions, spans, cache, hooks)?;
            return Ok(if logit_rows.is_empty() { None } else { Some((x, logit_rows.to_vec())) });
        }
        // Only the rows logits are wanted of are kept, chunk after chunk;
        // `order[i]` is the kept row that is logit_rows[i].
        let b = &self.backend;
        let mut kept: Option<B::Tensor> = None;
        let mut order = vec![0usize; logit_rows.len()];
        let mut n_kept = 0;
        for first in (0..n).step_by(per) {
            let end = (first + per).min(n);
            let r = first..end;
            let x = self.run_blocks(&tokens[r.clone()], &positions[r.clone()], &spans[r.clone()], cache, None)?;
            let mut local = Vec::new();
            for (i, &row) in logit_rows.iter().enumerate() {
                if r.contains(&row) {
                    order[i] = n_kept + local.len();
                    local.push(row - first);
                }
            }
            if local.is_empty() {
                continue;
            }
            n_kept += local.len();
            let rows = b.select_rows(&x, &local)?;
            kept = Some(match kept {
                None => rows,
                Some(prev) => b.concat_rows(&prev, &rows)?,
            });
        }
        Ok(kept.map(|k| (k, order)))
    }

    /// The blocks over one batch (appending its keys and values to `cache`),
    /// returning the last block's output, all rows.
    fn run_blocks(
        &self,
        tokens: &[u32],
        positions: &[usize],
        spans: &[KeySpan],
        cache: &mut KvCache<B>,
        mut hooks: Option<&mut HookSet>,
    ) -> Result<B::Tensor, ModelError> {
        let b = &self.backend;
        let c = &self.config;
        let mut x = b.embed(&self.weights.embed, tokens)?;
        for (l, w) in self.weights.blocks.iter().enumerate() {
            let mut hk = hooks.as_deref_mut().filter(|h| h.touches_layer(l));
            x = self.hook(HookPoint::ResidPre(l), x, positions, hk.as_deref_mut())?;
            let h = NormedInput::new(b, &x, self.norm(&w.attn_norm))?;
            let bias = |i: usize| w.bias.as_ref().map(|bs| &bs[i]);
            let mut q = h.linear(b, &w.wq, bias(0), None)?;
            let mut k = h.linear(b, &w.wk, bias(1), None)?;
            let v = h.linear(b, &w.wv, bias(2), None)?;
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
                None => b.linear_fused(&a, &w.wo, residual(&x))?,
                Some(h) => {
                    let attn_out = self.hook(HookPoint::AttnOut(l), b.linear(&a, &w.wo)?, positions, Some(&mut *h))?;
                    self.hook(HookPoint::ResidMid(l), b.add(&x, &attn_out)?, positions, Some(h))?
                }
            };
            let h = NormedInput::new(b, &x, self.norm(&w.ffn_norm))?;
            let gate = h.linear(b, &w.gate, None, None)?;
            // Without hooks the gate is applied as part of the up projection.
            let m = match hk.as_deref_mut() {
                None => h.linear(b, &w.up, None, Some(FuseRows::SiluGate(&gate)))?,
                Some(hs) => {
                    let gate = self.hook(HookPoint::MlpPre(l), gate, positions, Some(&mut *hs))?;
                    let up = self.hook(
                        HookPoint::MlpPreLinear(l),
                        h.linear(b, &w.up, None, None)?,
                        positions,
                        Some(&mut *hs),
                    )?;
                    self.hook(HookPoint::MlpPost(l), b.silu_mul(&gate, &up)?, positions, Some(hs))?
                }
            };
            x = match hk {
                None => b.linear_fused(&m, &w.down, residual(&x))?,
                Some(h) => {
                    let mlp_out = self.hook(HookPoint::MlpOut(l), b.linear(&m, &w.down)?, positions, Some(&mut *h))?;
                    self.hook(HookPoint::ResidPost(l), b.add(&x, &mlp_out)?, positions, Some(h))?
                }
            };
        }
        cache.len += tokens.len();
        Ok(x)
    }

    /// The logits `[rows.len(), vocab]` of the given rows of the last
    /// block's output `x`.
    fn logits_of(&self, x: &B::Tensor, rows: &[usize]) -> Result<B::Tensor, ModelError> {
        let b = &self.backend;
        let x = b.select_rows(x, rows)?;
        let out = self.weights.output.as_ref().unwrap_or(&self.weights.embed);
        Ok(NormedInput::new(b, &x, self.norm(&self.weights.output_norm))?.linear(b, out, None, None)?)
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
    /// A whole-row RMS norm of the model's with `weight`.
    fn norm<'w>(&self, weight: &'w B::Tensor) -> NormSpec<'w, B::Tensor> {
        NormSpec { weight, eps: self.config.rms_eps, group: self.config.dim }
    }

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

/// The last block's output and which of its rows are the logit rows, in
/// their order.
type Hidden<T> = (T, Vec<usize>);

/// Positions and key spans of `n` tokens appended causally after `start`
/// cached ones.
fn causal(start: usize, n: usize) -> (Vec<usize>, Vec<KeySpan>) {
    let positions: Vec<usize> = (start..start + n).collect();
    let spans = positions.iter().map(|&i| KeySpan::causal(i)).collect();
    (positions, spans)
}
