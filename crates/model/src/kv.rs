//! The key/value cache.

use crate::backend::Backend;

/// Keys (after rope) and values of every layer for the tokens seen so far,
/// `[tokens, n_kv_heads * head_dim]` per layer. Cloning is how a shared
/// prompt is reused by several continuations: backends make clones cheap
/// (candle tensors are reference-counted).
pub struct KvCache<B: Backend> {
    pub(crate) layers: Vec<Option<(B::Tensor, B::Tensor)>>,
    pub(crate) len: usize,
}

impl<B: Backend> Clone for KvCache<B> {
    fn clone(&self) -> Self {
        Self { layers: self.layers.clone(), len: self.len }
    }
}

impl<B: Backend> KvCache<B> {
    /// An empty cache for `n_layers` blocks.
    pub fn new(n_layers: usize) -> Self {
        Self { layers: (0..n_layers).map(|_| None).collect(), len: 0 }
    }

    /// Number of cached tokens.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no token is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
