//! The contract between the model and the hardware.
//!
//! Activations are 2-D `[rows, cols]` f32 tensors, one row per token.
//! Weight matrices are `[out, in]` as stored in GGUF and may be quantized;
//! only the backend knows how they are stored.

use kaoshi_formats::GgufFile;

use crate::error::BackendError;

/// Activations copied back to the host, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
    /// Number of rows (tokens).
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// `rows * cols` values, row-major.
    pub data: Vec<f32>,
}

impl HostTensor {
    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// [`host_top_k`] of each row.
    pub fn top_k_rows(&self, k: usize) -> Vec<Vec<(u32, f32)>> {
        (0..self.rows).map(|r| host_top_k(self.row(r), k)).collect()
    }
}

/// What [`Backend::linear_fused`] does around `x · wᵀ`, in this order.
#[derive(Debug)]
pub struct LinearFusion<'a, T> {
    /// RMS-normalize each row of x first.
    pub norm: Option<NormSpec<'a, T>>,
    /// Add this `[1, out]` bias to the product.
    pub bias: Option<&'a T>,
    /// Then combine the result with an `[n, out]` tensor.
    pub rows: Option<FuseRows<'a, T>>,
}

impl<T> Default for LinearFusion<'_, T> {
    fn default() -> Self {
        Self { norm: None, bias: None, rows: None }
    }
}

impl<T> Clone for LinearFusion<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for LinearFusion<'_, T> {}

/// An RMS norm over groups of `group` columns with `weight` (`[1, group]`),
/// as [`Backend::rms_norm`].
#[derive(Debug)]
pub struct NormSpec<'a, T> {
    /// The norm's weight.
    pub weight: &'a T,
    /// Added to the mean square.
    pub eps: f32,
    /// Columns per group (the whole row for a block's norms).
    pub group: usize,
}

impl<T> Clone for NormSpec<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for NormSpec<'_, T> {}

/// How [`Backend::linear_fused`] combines its product with an `[n, out]` tensor.
#[derive(Debug)]
pub enum FuseRows<'a, T> {
    /// `residual + product`.
    Residual(&'a T),
    /// `silu(gate) * product` (a gated MLP's gate applied to its up projection).
    SiluGate(&'a T),
}

impl<T> Clone for FuseRows<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for FuseRows<'_, T> {}

/// Which keys one query row may attend to, as indices into the key/value
/// cache after this step's rows have been appended: `0..shared` and
/// `own_start..own_end`. Plain causal decoding uses only `shared`; batched
/// continuations after a common prompt use `shared` for the prompt and the
/// own range for the continuation's earlier tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpan {
    /// Keys `0..shared` are visible.
    pub shared: usize,
    /// First key of the private range.
    pub own_start: usize,
    /// One past the last key of the private range.
    pub own_end: usize,
}

impl KeySpan {
    /// Causal attention for the query stored at cache index `index`.
    pub fn causal(index: usize) -> Self {
        Self { shared: index + 1, own_start: 0, own_end: 0 }
    }

    /// Whether key `k` is visible.
    pub fn allows(&self, k: usize) -> bool {
        k < self.shared || (self.own_start..self.own_end).contains(&k)
    }
}

/// Rotary position embedding parameters, computed once by the model.
#[derive(Debug, Clone)]
pub struct RopeSpec {
    /// Inverse frequency for each rotated pair (`rot_dim / 2` values),
    /// scaling already applied.
    pub inv_freq: Vec<f32>,
    /// Pairs are `(x[i], x[i + rot_dim/2])` (NeoX, Qwen) rather than
    /// `(x[2i], x[2i+1])` (GGUF llama).
    pub neox: bool,
    /// Number of leading dimensions of each head that rotate.
    pub rot_dim: usize,
    /// Positions are multiplied by this (linear scaling uses 1/factor).
    pub position_scale: f32,
}

/// What scoring needs of one logits row and one token: the token's
/// log-probability and whether it is the row's argmax.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenScore {
    /// `log_softmax(row)[token]` (natural log).
    pub log_prob: f64,
    /// Whether `token` is the row's largest logit (the first one on ties).
    pub is_argmax: bool,
}

/// Index of the largest value (the first one on ties; NaN never wins).
pub fn host_argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in row.iter().enumerate() {
        if x > row[best] {
            best = i;
        }
    }
    best
}

/// The `k` highest-ranked entries of `row` as `(index, logit)`, in rank
/// order: larger logit first by [`f32::total_cmp`] (so +NaN above +inf and
/// +0 above -0), the lower index first on ties. This order is total, so the
/// top `k` are one set whatever the algorithm: the sampler's candidates and
/// the GPU's `top_k` reduction are the same list.
pub fn host_top_k(row: &[f32], k: usize) -> Vec<(u32, f32)> {
    let k = k.min(row.len());
    if k == 0 {
        return Vec::new();
    }
    let rank = |&a: &usize, &b: &usize| row[b].total_cmp(&row[a]).then(a.cmp(&b));
    let mut idx: Vec<usize> = (0..row.len()).collect();
    if k < idx.len() {
        idx.select_nth_unstable_by(k - 1, rank);
        idx.truncate(k);
    }
    idx.sort_unstable_by(rank);
    idx.into_iter().map(|i| (i as u32, row[i])).collect()
}

/// `log_softmax(row)[target]`, computed in f64.
pub fn host_log_prob(row: &[f32], target: usize) -> f64 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = row.iter().map(|&x| f64::from(x - max).exp()).sum();
    f64::from(row[target]) - f64::from(max) - sum.ln()
}

/// The operations a transformer forward pass needs. Small on purpose: a GPU
/// backend implements these and the model runs unchanged.
pub trait Backend {
    /// An activation tensor `[rows, cols]`, f32.
    type Tensor: Clone;
    /// A weight matrix `[out, in]`, in whatever storage the backend chose.
    type Matrix;

    /// A short name for reports and errors ("cpu", "gpu").
    fn name(&self) -> &'static str;

    /// Loads a 2-D weight from the file, keeping its quantization.
    fn load_matrix(&self, file: &GgufFile, name: &str) -> Result<Self::Matrix, BackendError>;
    /// Loads a 1-D weight (norm scale, bias) as a `[1, n]` tensor.
    fn load_vector(&self, file: &GgufFile, name: &str) -> Result<Self::Tensor, BackendError>;
    /// Uploads host data as a tensor.
    fn upload(&self, data: &[f32], rows: usize, cols: usize) -> Result<Self::Tensor, BackendError>;
    /// Copies a tensor back to the host.
    fn download(&self, x: &Self::Tensor) -> Result<HostTensor, BackendError>;

    /// Rows of `table` for `ids`.
    fn embed(&self, table: &Self::Matrix, ids: &[u32]) -> Result<Self::Tensor, BackendError>;
    /// `x · wᵀ`: `[n, in] x [out, in] -> [n, out]`.
    fn linear(&self, x: &Self::Tensor, w: &Self::Matrix) -> Result<Self::Tensor, BackendError>;
    /// `x · wᵀ` with the steps around it that a backend may fold into the
    /// product ([`LinearFusion`]): x RMS-normalized first, then a bias,
    /// then a residual added or a SiLU gate applied. The default runs them
    /// as separate ops: [`Backend::rms_norm`], [`Backend::linear`],
    /// [`Backend::add_row_vector`], [`Backend::add`] / [`Backend::silu_mul`].
    fn linear_fused(
        &self,
        x: &Self::Tensor,
        w: &Self::Matrix,
        fusion: LinearFusion<'_, Self::Tensor>,
    ) -> Result<Self::Tensor, BackendError> {
        let normed = match fusion.norm {
            Some(n) => Some(self.rms_norm(x, n.weight, n.eps, n.group)?),
            None => None,
        };
        let mut y = self.linear(normed.as_ref().unwrap_or(x), w)?;
        if let Some(bias) = fusion.bias {
            y = self.add_row_vector(&y, bias, None)?;
        }
        match fusion.rows {
            Some(FuseRows::Residual(r)) => self.add(r, &y),
            Some(FuseRows::SiluGate(g)) => self.silu_mul(g, &y),
            None => Ok(y),
        }
    }
    /// Whether [`Backend::linear_fused`] folds an RMS norm into the product
    /// for `rows` rows of x, so a caller with several products of one
    /// normalized input should hand the norm to each rather than normalize
    /// once. The default: no.
    fn fuses_norm(&self, rows: usize) -> bool {
        let _ = rows;
        false
    }
    /// Element-wise sum of two tensors of one shape.
    fn add(&self, a: &Self::Tensor, b: &Self::Tensor) -> Result<Self::Tensor, BackendError>;
    /// Adds the `[1, cols]` tensor `v` to the given rows of `x` (all rows if `None`).
    fn add_row_vector(
        &self,
        x: &Self::Tensor,
        v: &Self::Tensor,
        rows: Option<&[usize]>,
    ) -> Result<Self::Tensor, BackendError>;
    /// RMS norm over each consecutive group of `group` columns, times `weight` (`[1, group]`).
    fn rms_norm(
        &self,
        x: &Self::Tensor,
        weight: &Self::Tensor,
        eps: f32,
        group: usize,
    ) -> Result<Self::Tensor, BackendError>;
    /// Rotates each head of `x` (`[n, n_heads * head_dim]`) for the row's position.
    fn rope(
        &self,
        x: &Self::Tensor,
        positions: &[usize],
        head_dim: usize,
        spec: &RopeSpec,
    ) -> Result<Self::Tensor, BackendError>;
    /// [`Backend::rope`] of queries and keys at the same positions (a
    /// backend may do both in one step; the default makes two calls).
    fn rope_pair(
        &self,
        q: &Self::Tensor,
        k: &Self::Tensor,
        positions: &[usize],
        head_dim: usize,
        spec: &RopeSpec,
    ) -> Result<(Self::Tensor, Self::Tensor), BackendError> {
        Ok((self.rope(q, positions, head_dim, spec)?, self.rope(k, positions, head_dim, spec)?))
    }
    /// Scaled dot-product attention with grouped K/V heads.
    /// `q` is `[n, n_heads * head_dim]`, `k`/`v` are `[t, n_kv_heads * head_dim]`;
    /// row `i` of `q` sees the keys `spans[i]` allows. Returns `[n, n_heads * head_dim]`.
    #[allow(clippy::too_many_arguments)]
    fn attention(
        &self,
        q: &Self::Tensor,
        k: &Self::Tensor,
        v: &Self::Tensor,
        n_heads: usize,
        n_kv_heads: usize,
        head_dim: usize,
        spans: &[KeySpan],
    ) -> Result<Self::Tensor, BackendError>;
    /// `a` with the rows of `b` appended.
    fn concat_rows(&self, a: &Self::Tensor, b: &Self::Tensor) -> Result<Self::Tensor, BackendError>;
    /// `silu(gate) * up`.
    fn silu_mul(&self, gate: &Self::Tensor, up: &Self::Tensor) -> Result<Self::Tensor, BackendError>;
    /// Multiplies the given columns of the given rows of `x` (all rows if
    /// `None`) by `factor`.
    fn scale_columns(
        &self,
        x: &Self::Tensor,
        cols: &[usize],
        factor: f32,
        rows: Option<&[usize]>,
    ) -> Result<Self::Tensor, BackendError>;
    /// The attention probabilities of each query row of `q` over the keys
    /// of `k` (`[t, n_kv_heads * head_dim]`), as [`Backend::attention`]
    /// weighs the values: `[n, n_heads * width]`, head after head, zero
    /// where `spans[i]` hides a key and for keys `t..width` (`width >= t`).
    /// For the `hook_pattern` captures of chosen rows.
    #[allow(clippy::too_many_arguments)]
    fn attention_pattern(
        &self,
        q: &Self::Tensor,
        k: &Self::Tensor,
        n_heads: usize,
        n_kv_heads: usize,
        head_dim: usize,
        spans: &[KeySpan],
        width: usize,
    ) -> Result<Self::Tensor, BackendError>;
    /// The given rows of `x`, in order.
    fn select_rows(&self, x: &Self::Tensor, rows: &[usize]) -> Result<Self::Tensor, BackendError>;
    /// `x` as a leaf of this backend's gradient tape
    /// ([`crate::Intervention::GradientLeaf`] at `point`): the same values,
    /// from which gradients can later be read. Backends that record no
    /// gradients refuse with [`BackendError::NoGradients`].
    fn gradient_leaf(&self, x: &Self::Tensor, point: crate::HookPoint) -> Result<Self::Tensor, BackendError> {
        let _ = x;
        Err(BackendError::NoGradients { backend: self.name(), what: format!("a gradient with respect to {point}") })
    }
    /// Number of rows.
    fn rows(&self, x: &Self::Tensor) -> usize;

    /// The most rows of a `[rows, width]` tensor one tensor should hold:
    /// `Model` runs longer batches in chunks (width: the widest activation)
    /// and computes logits in blocks (width: the vocabulary). Unlimited by
    /// default; a GPU backend answers with its binding limit.
    fn max_batch_rows(&self, width: usize) -> usize {
        let _ = width;
        usize::MAX
    }

    /// The argmax of each row of `logits`. The default reads the whole
    /// tensor back; a GPU backend reduces on the device and reads one
    /// index per row.
    fn argmax_rows(&self, logits: &Self::Tensor) -> Result<Vec<u32>, BackendError> {
        let host = self.download(logits)?;
        Ok((0..host.rows).map(|r| host_argmax(host.row(r)) as u32).collect())
    }

    /// The `k` highest-ranked `(index, logit)` of each row of `logits`, in
    /// the order of [`host_top_k`] (`k` is capped at the row length). The
    /// default reads the whole tensor back; a GPU backend selects on the
    /// device and reads `2k` numbers per row.
    fn top_k_rows(&self, logits: &Self::Tensor, k: usize) -> Result<Vec<Vec<(u32, f32)>>, BackendError> {
        Ok(self.download(logits)?.top_k_rows(k))
    }

    /// For each `(row, token)` of `picks`, the token's log-probability under
    /// `logits[row]` and whether it is that row's argmax. The default reads
    /// the whole tensor back; a GPU backend reads two numbers per pick.
    fn token_scores(&self, logits: &Self::Tensor, picks: &[(usize, u32)]) -> Result<Vec<TokenScore>, BackendError> {
        let host = self.download(logits)?;
        picks
            .iter()
            .map(|&(r, t)| {
                if r >= host.rows || t as usize >= host.cols {
                    return Err(BackendError::shape(
                        self.name(),
                        format!("pick ({r}, {t}) outside logits [{}, {}]", host.rows, host.cols),
                    ));
                }
                let row = host.row(r);
                Ok(TokenScore { log_prob: host_log_prob(row, t as usize), is_argmax: host_argmax(row) == t as usize })
            })
            .collect()
    }
}
