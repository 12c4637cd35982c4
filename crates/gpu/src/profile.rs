//! GPU time per kernel, from timestamps written around every dispatch
//! (needs TIMESTAMP_QUERY_INSIDE_PASSES; native only). Profiling makes every
//! submission wait for its timestamps, so it slows the run down: it is for
//! finding which op dominates (`kaoshi bench` with `KAOSHI_GPU_PROFILE=1`),
//! not for timing the whole.

use std::collections::BTreeMap;

use crate::{GpuDevice, GpuError};

/// Timestamps a recording holds at most (two per dispatch).
pub(crate) const MAX_QUERIES: u32 = 4096;

/// One op's share of the profiled GPU time.
#[derive(Debug, Clone, PartialEq)]
pub struct OpTime {
    /// The kernel, e.g. "MatVec Q4K".
    pub kernel: String,
    /// Dispatches profiled.
    pub calls: u64,
    /// GPU nanoseconds between the timestamps around its dispatches.
    pub nanos: f64,
}

/// Timestamp queries and what has been measured so far.
pub(crate) struct Profiler {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    read: wgpu::Buffer,
    /// Kernel name of each dispatch in the current recording.
    pub(crate) labels: Vec<String>,
    totals: BTreeMap<String, (u64, f64)>,
}

impl Profiler {
    /// The query index pair of the next dispatch, if there is room.
    pub(crate) fn next_pair(&self) -> Option<(u32, u32)> {
        let i = self.labels.len() as u32 * 2;
        (i + 2 <= MAX_QUERIES).then_some((i, i + 1))
    }

    pub(crate) fn queries(&self) -> &wgpu::QuerySet {
        &self.queries
    }
}

impl GpuDevice {
    /// Starts timing every dispatch on the GPU; fails when the adapter
    /// cannot write timestamps inside compute passes.
    pub fn enable_profiling(&self) -> Result<(), GpuError> {
        let need = wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES;
        if !self.device.features().contains(need) {
            return Err(GpuError::MissingFeature { feature: "TIMESTAMP_QUERY_INSIDE_PASSES" });
        }
        self.flush()?;
        let bytes = u64::from(MAX_QUERIES) * 8;
        let queries = self.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("kaoshi profile"),
            ty: wgpu::QueryType::Timestamp,
            count: MAX_QUERIES,
        });
        let buffer = |usage| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: bytes,
                usage,
                mapped_at_creation: false,
            })
        };
        let resolve = buffer(wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC);
        let read = buffer(wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST);
        let mut p = self.profiler.lock().map_err(|_| GpuError::Readback("profiler poisoned".into()))?;
        *p = Some(Profiler { queries, resolve, read, labels: Vec::new(), totals: BTreeMap::new() });
        Ok(())
    }

    /// GPU time per kernel since profiling was enabled or last reset,
    /// slowest first.
    pub fn profile(&self) -> Result<Vec<OpTime>, GpuError> {
        self.flush()?;
        let p = self.profiler.lock().map_err(|_| GpuError::Readback("profiler poisoned".into()))?;
        let mut out: Vec<OpTime> = p
            .as_ref()
            .map(|p| p.totals.iter().map(|(k, &(calls, nanos))| OpTime { kernel: k.clone(), calls, nanos }).collect())
            .unwrap_or_default();
        out.sort_by(|a, b| b.nanos.total_cmp(&a.nanos));
        Ok(out)
    }

    /// Clears the measured times (profiling stays on).
    pub fn reset_profile(&self) -> Result<(), GpuError> {
        self.flush()?;
        if let Some(p) = self.profiler.lock().map_err(|_| GpuError::Readback("profiler poisoned".into()))?.as_mut() {
            p.totals.clear();
        }
        Ok(())
    }

    /// Before a submission: resolves this recording's timestamps.
    pub(crate) fn profile_resolve(&self, encoder: &mut wgpu::CommandEncoder) -> bool {
        let Ok(p) = self.profiler.lock() else { return false };
        let Some(p) = p.as_ref().filter(|p| !p.labels.is_empty()) else { return false };
        let n = p.labels.len() as u32 * 2;
        encoder.resolve_query_set(&p.queries, 0..n, &p.resolve, 0);
        encoder.copy_buffer_to_buffer(&p.resolve, 0, &p.read, 0, u64::from(n) * 8);
        true
    }

    /// After that submission: waits for the timestamps and adds them up.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn profile_collect(&self) {
        let Ok(mut guard) = self.profiler.lock() else { return };
        let Some(p) = guard.as_mut() else { return };
        let n = p.labels.len() as u64 * 2;
        let (tx, rx) = std::sync::mpsc::channel();
        p.read.map_async(wgpu::MapMode::Read, ..n * 8, move |r| {
            let _ = tx.send(r);
        });
        if self.device.poll(wgpu::PollType::wait_indefinitely()).is_err() || !matches!(rx.recv(), Ok(Ok(()))) {
            p.labels.clear();
            return;
        }
        let period = f64::from(self.queue.get_timestamp_period());
        if let Ok(view) = p.read.get_mapped_range(..n * 8) {
            let ticks: Vec<u64> = bytemuck::pod_collect_to_vec(&view);
            for (label, pair) in p.labels.iter().zip(ticks.chunks_exact(2)) {
                let e = p.totals.entry(label.clone()).or_insert((0, 0.0));
                e.0 += 1;
                e.1 += pair[1].saturating_sub(pair[0]) as f64 * period;
            }
        }
        p.read.unmap();
        p.labels.clear();
    }

    #[cfg(target_arch = "wasm32")]
    pub(crate) fn profile_collect(&self) {}
}
