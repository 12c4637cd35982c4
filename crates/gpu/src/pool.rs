//! Buffer reuse, so that a decoding step allocates no GPU memory.
//!
//! Every activation buffer is held through a [`Lease`]; when the last
//! tensor using it is dropped, the buffer goes back to the [`Pool`] under its
//! size class and the next op asking for that class takes it. Reuse is safe
//! without waiting for the GPU: ops are recorded in order into one command
//! stream ([`crate::record`]), and a tensor is dropped only after its last
//! reader was recorded, so a later writer of the same buffer is also later in
//! the stream, where wgpu puts the barrier.
//!
//! A lease also tracks how much of its buffer is in use, which lets
//! `concat_rows` append a step's keys and values to the cache in place
//! ([`Lease::try_extend`]) instead of copying the whole cache every token.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Free buffers by size class, and how many bytes they hold.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    free: Mutex<HashMap<u64, Vec<wgpu::Buffer>>>,
    free_bytes: AtomicU64,
}

/// Bytes the pool keeps at most; beyond this, returned buffers are freed.
const POOL_LIMIT_BYTES: u64 = 1 << 30;

impl Pool {
    /// A free buffer of exactly `class` bytes, if one is pooled.
    pub(crate) fn take(&self, class: u64) -> Option<wgpu::Buffer> {
        let mut free = self.free.lock().ok()?;
        let buf = free.get_mut(&class)?.pop()?;
        self.free_bytes.fetch_sub(class, Ordering::Relaxed);
        Some(buf)
    }

    /// Returns a buffer of `class` bytes to the pool.
    pub(crate) fn put(&self, buffer: wgpu::Buffer, class: u64) {
        if self.free_bytes.load(Ordering::Relaxed) + class > POOL_LIMIT_BYTES {
            return;
        }
        if let Ok(mut free) = self.free.lock() {
            free.entry(class).or_default().push(buffer);
            self.free_bytes.fetch_add(class, Ordering::Relaxed);
        }
    }

    /// Bytes held by free buffers.
    pub(crate) fn free_bytes(&self) -> u64 {
        self.free_bytes.load(Ordering::Relaxed)
    }
}

/// The size class of a request of `bytes`: rounded up to a multiple of an
/// eighth of the next power of two (at least 256 bytes), so a class wastes at
/// most 12.5% and shapes that differ slightly share buffers.
pub(crate) fn size_class(bytes: u64) -> u64 {
    let bytes = bytes.max(4);
    let step = (bytes.next_power_of_two() / 8).max(256);
    bytes.div_ceil(step) * step
}

/// One buffer shared by the tensors that view it.
#[derive(Debug)]
pub(crate) struct Lease {
    buffer: wgpu::Buffer,
    /// The buffer's size in bytes.
    capacity: u64,
    /// Bytes from the start written by some tensor: a tensor may append
    /// in place only where its own end is this end.
    used: AtomicU64,
    /// Where the buffer goes when the last view is dropped (None: freed).
    pool: Option<Arc<Pool>>,
}

impl Lease {
    // wgpu's handles are Send and Sync natively, not in the browser (one thread).
    #[cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]
    pub(crate) fn new(buffer: wgpu::Buffer, used: u64, pool: Option<Arc<Pool>>) -> Arc<Self> {
        let capacity = buffer.size();
        Arc::new(Self { buffer, capacity, used: AtomicU64::new(used), pool })
    }

    /// Claims `from..to` for a tensor whose data ends at `from`: succeeds
    /// when nobody has written past `from` yet and the buffer is large enough.
    pub(crate) fn try_extend(&self, from: u64, to: u64) -> bool {
        to <= self.capacity && self.used.compare_exchange(from, to, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(pool) = &self.pool {
            pool.put(self.buffer.clone(), self.capacity);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn size_classes_round_up_by_at_most_an_eighth() {
        assert_eq!(size_class(1), 256);
        assert_eq!(size_class(256), 256);
        assert_eq!(size_class(257), 512);
        assert_eq!(size_class(4096), 4096);
        assert_eq!(size_class(4097), 5120);
        for n in [1000u64, 3584 * 4, 151_936 * 4, 18_944 * 512 * 4] {
            let c = size_class(n);
            assert!(c >= n && (c - n) * 8 <= n.next_power_of_two(), "{n} -> {c}");
        }
    }
}
