//! Recording: ops append to one command encoder (inside one compute pass
//! while only kernels run) and nothing is submitted until a result is read
//! back, so a forward pass is one submission however many ops it has.
//!
//! Kernel parameters (a few u32 words) and small per-op arrays (token ids,
//! positions, key spans) are not separate buffers: they are packed into
//! arena chunks, bound by offset, and written to the GPU with one
//! `write_buffer` per chunk just before the submission. Chunks are reused by
//! the next recording: a queue write is ordered after earlier submissions.

use std::num::NonZeroU64;
use std::sync::atomic::Ordering;

use crate::bind_cache::BindCache;
use crate::kernel::KernelSpec;
use crate::params::Params;
use crate::{GpuDevice, GpuError};

/// Bytes per arena chunk.
const CHUNK_BYTES: u64 = 256 * 1024;

/// What a binding of a dispatch refers to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bind<'a> {
    /// A whole storage buffer.
    Buffer(&'a wgpu::Buffer),
    /// Host data staged in the arena for this dispatch (a storage binding).
    Data(&'a [u8]),
}

/// An arena chunk in use by the current recording.
struct Chunk {
    buffer: wgpu::Buffer,
    data: Vec<u8>,
}

/// The current recording.
#[derive(Default)]
pub(crate) struct Recording {
    encoder: Option<wgpu::CommandEncoder>,
    pass: Option<wgpu::ComputePass<'static>>,
    chunks: Vec<Chunk>,
    free_chunks: Vec<wgpu::Buffer>,
    pending: u32,
    /// Bind groups for reuse ([`crate::bind_cache`]).
    pub(crate) bind_groups: BindCache,
}

impl GpuDevice {
    /// Copies `bytes` into the arena and returns where they are: a
    /// (buffer, offset, size) range aligned for uniform and storage bindings.
    fn stage(&self, rec: &mut Recording, bytes: &[u8]) -> (wgpu::Buffer, u64, u64) {
        let align = self.arena_alignment();
        let size = (bytes.len() as u64).max(4).div_ceil(16) * 16;
        let fits = |c: &Chunk| c.data.len() as u64 + size <= c.buffer.size();
        if !rec.chunks.last().is_some_and(fits) {
            let want = size.max(CHUNK_BYTES);
            let reuse = rec.free_chunks.iter().position(|b| b.size() >= want);
            let buffer = match reuse {
                Some(i) => rec.free_chunks.swap_remove(i),
                None => self.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("kaoshi arena"),
                    size: want,
                    usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
            };
            rec.chunks.push(Chunk { buffer, data: Vec::with_capacity(want as usize) });
        }
        let chunk = rec.chunks.last_mut().expect("a chunk was just ensured");
        let offset = chunk.data.len() as u64;
        chunk.data.extend_from_slice(bytes);
        chunk.data.resize((offset + size) as usize, 0);
        // The next staging starts aligned.
        let next = (offset + size).div_ceil(align) * align;
        chunk.data.resize((next as usize).min(chunk.buffer.size() as usize), 0);
        (chunk.buffer.clone(), offset, size)
    }

    fn arena_alignment(&self) -> u64 {
        let l = &self.info().limits;
        u64::from(l.min_uniform_buffer_offset_alignment.max(l.min_storage_buffer_offset_alignment)).max(16)
    }

    fn recording(&self) -> Result<std::sync::MutexGuard<'_, Recording>, GpuError> {
        self.recording.lock().map_err(|_| GpuError::Readback("recording state poisoned".into()))
    }

    /// Runs `spec` once over `groups` workgroups with `buffers` at bindings
    /// 0.. and the uniform `params` (the kernel's `Params`) after them.
    pub(crate) fn dispatch(
        &self,
        spec: KernelSpec,
        buffers: &[&wgpu::Buffer],
        params: &impl Params,
        groups: u32,
    ) -> Result<(), GpuError> {
        let binds: Vec<Bind> = buffers.iter().map(|b| Bind::Buffer(b)).collect();
        self.dispatch_with(spec, &binds, params, groups)
    }

    /// As [`GpuDevice::dispatch`], with bindings that may be staged host data.
    pub(crate) fn dispatch_with(
        &self,
        spec: KernelSpec,
        binds: &[Bind],
        params: &impl Params,
        groups: u32,
    ) -> Result<(), GpuError> {
        if groups == 0 {
            return Ok(());
        }
        self.check_health()?;
        let (pipeline, layout) = self.pipeline(spec)?;
        let mut rec = self.recording()?;
        let mut ranges = Vec::with_capacity(binds.len() + 1);
        for b in binds {
            ranges.push(match b {
                Bind::Buffer(buf) => ((*buf).clone(), 0, buf.size()),
                Bind::Data(bytes) => self.stage(&mut rec, bytes),
            });
        }
        ranges.push(self.stage(&mut rec, bytemuck::bytes_of(params)));
        // Staged data in an outsized chunk (not reused) is not worth a
        // cache entry that would keep the chunk alive.
        let staged = binds.iter().map(|b| matches!(b, Bind::Data(_))).chain([true]);
        let keep = staged.zip(&ranges).all(|(data, r)| !data || r.0.size() == CHUNK_BYTES);
        let bind_group = rec.bind_groups.get(spec, &ranges, keep, || {
            let entries: Vec<wgpu::BindGroupEntry> = ranges
                .iter()
                .enumerate()
                .map(|(i, (buffer, offset, size))| wgpu::BindGroupEntry {
                    binding: i as u32,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer,
                        offset: *offset,
                        size: NonZeroU64::new(*size),
                    }),
                })
                .collect();
            self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &layout,
                entries: &entries,
            })
        });
        let max = self.info().limits.max_compute_workgroups_per_dimension.max(1);
        let (x, y) = if groups <= max { (groups, 1) } else { (max, groups.div_ceil(max)) };
        let rec = &mut *rec;
        let mut profiler = self.profiler.lock().map_err(|_| GpuError::Readback("profiler poisoned".into()))?;
        if profiler.as_ref().is_some_and(|p| p.next_pair().is_none()) {
            // The query set is full: submit (which reads it) and go on.
            drop(profiler);
            self.submit(rec);
            profiler = self.profiler.lock().map_err(|_| GpuError::Readback("profiler poisoned".into()))?;
        }
        let mut timed = profiler.as_mut().map(|p| (p.next_pair(), p));
        let pass = match &mut rec.pass {
            Some(pass) => pass,
            empty => {
                let encoder =
                    rec.encoder.get_or_insert_with(|| self.device.create_command_encoder(&Default::default()));
                empty.insert(encoder.begin_compute_pass(&Default::default()).forget_lifetime())
            }
        };
        if let Some((Some((before, _)), p)) = &timed {
            pass.write_timestamp(p.queries(), *before);
        }
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(x, y, 1);
        if let Some((Some((_, after)), p)) = &mut timed {
            pass.write_timestamp(p.queries(), *after);
            p.labels.push(format!("{:?} {:?}", spec.op, spec.dtype));
        }
        drop(profiler);
        rec.pending += 1;
        self.dispatches.fetch_add(1, Ordering::Relaxed);
        if rec.pending >= self.submit_every {
            self.submit(rec);
        }
        Ok(())
    }

    /// Records a buffer-to-buffer copy after everything recorded so far.
    pub(crate) fn copy(&self, src: &wgpu::Buffer, src_offset: u64, dst: &wgpu::Buffer, dst_offset: u64, size: u64) {
        if size == 0 {
            return;
        }
        let Ok(mut rec) = self.recording() else { return };
        self.copy_encoder(&mut rec).copy_buffer_to_buffer(src, src_offset, dst, dst_offset, size);
    }

    /// The recording's encoder with no compute pass open (copies cannot be
    /// recorded inside one).
    fn copy_encoder<'r>(&self, rec: &'r mut Recording) -> &'r mut wgpu::CommandEncoder {
        rec.pass = None;
        rec.encoder.get_or_insert_with(|| self.device.create_command_encoder(&Default::default()))
    }

    /// Submits everything recorded so far; fails if wgpu reported an error
    /// or lost the device since the last check.
    pub fn flush(&self) -> Result<(), GpuError> {
        self.check_health()?;
        let mut rec = self.recording()?;
        self.submit(&mut rec);
        self.check_health()
    }

    /// As [`GpuDevice::flush`], after recording a copy of `size` bytes of
    /// `src` into `dst` (a read-back staging buffer).
    pub(crate) fn flush_with_copy(&self, src: &wgpu::Buffer, dst: &wgpu::Buffer, size: u64) -> Result<(), GpuError> {
        self.check_health()?;
        let mut rec = self.recording()?;
        self.copy_encoder(&mut rec).copy_buffer_to_buffer(src, 0, dst, 0, size);
        self.submit(&mut rec);
        Ok(())
    }

    fn submit(&self, rec: &mut Recording) {
        rec.pass = None;
        let Some(encoder) = rec.encoder.take() else { return };
        for chunk in rec.chunks.drain(..) {
            if !chunk.data.is_empty() {
                self.queue.write_buffer(&chunk.buffer, 0, &chunk.data);
            }
            if chunk.buffer.size() == CHUNK_BYTES {
                rec.free_chunks.push(chunk.buffer);
            }
        }
        let mut encoder = encoder;
        let profiled = self.profile_resolve(&mut encoder);
        self.queue.submit([encoder.finish()]);
        rec.pending = 0;
        if profiled {
            self.profile_collect();
        }
    }
}
