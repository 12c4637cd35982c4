//! Bind groups kept for reuse. A decode step binds the same buffers (pooled
//! activations, weights, the key/value cache, arena chunks at the same
//! offsets) in the same order every token, so after the first steps
//! `create_bind_group` (a descriptor set natively) is skipped for almost
//! every dispatch: `cargo run --release -p kaoshi-gpu --example
//! dispatch_cost` prints the hit rate and the host time per dispatch.
//!
//! A cached group keeps its buffers alive, so the cache is bounded
//! ([`MAX_ENTRIES`], then emptied) and emptied when the key/value cache moves
//! to a larger buffer (`GpuDevice::concat_rows`), the one buffer a model
//! drops while running; a model's weights go with its device (the CLI and
//! the wasm crate open one device per model).
//!
//! Measured with `dispatch_cost` on lavapipe's host (2 cores): 96.7% of the
//! groups reused, 4.5 us of host time per dispatch against 5.7 without the
//! cache (record 2.1 + submit 2.4 against 3.8 + 1.9).

use std::collections::HashMap;

use crate::kernel::KernelSpec;

/// Entries kept before the cache is emptied (a decode step of a 28-layer
/// model binds about 300 groups).
const MAX_ENTRIES: usize = 4096;

/// A binding: (buffer, offset, size).
pub(crate) type Range = (wgpu::Buffer, u64, u64);

#[derive(PartialEq, Eq, Hash)]
struct Key {
    spec: KernelSpec,
    ranges: Vec<Range>,
}

#[derive(Default)]
pub(crate) struct BindCache {
    groups: HashMap<Key, wgpu::BindGroup>,
    pub(crate) hits: u64,
    pub(crate) misses: u64,
}

impl BindCache {
    /// The bind group of `ranges` (bindings 0.. in order) for `spec`'s
    /// pipeline, from the cache or made with `make`; `keep` false makes
    /// it without caching it.
    pub(crate) fn get(
        &mut self,
        spec: KernelSpec,
        ranges: &[Range],
        keep: bool,
        make: impl FnOnce() -> wgpu::BindGroup,
    ) -> wgpu::BindGroup {
        if !keep {
            return make();
        }
        let key = Key { spec, ranges: ranges.to_vec() };
        if let Some(group) = self.groups.get(&key) {
            self.hits += 1;
            return group.clone();
        }
        self.misses += 1;
        if self.groups.len() >= MAX_ENTRIES {
            self.groups.clear();
        }
        let group = make();
        self.groups.insert(key, group.clone());
        group
    }

    /// Drops every cached group (and with them the buffers only they hold).
    pub(crate) fn clear(&mut self) {
        self.groups.clear();
    }
}
