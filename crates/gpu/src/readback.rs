//! Reading tensors back to the host: natively by blocking on the device,
//! and asynchronously (the only way in a browser, where a buffer maps when
//! the page's event loop runs).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use crate::pool::size_class;
use crate::{GpuDevice, GpuError, GpuTensor};

/// The outcome of `map_async`, shared between its callback and a future.
#[derive(Default)]
struct MapState {
    result: Option<Result<(), String>>,
    waker: Option<Waker>,
}

/// Completes when the buffer's `map_async` callback has run.
struct Mapped(Arc<Mutex<MapState>>);

impl Future for Mapped {
    type Output = Result<(), GpuError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(mut state) = self.0.lock() else {
            return Poll::Ready(Err(GpuError::Readback("map state poisoned".into())));
        };
        match state.result.take() {
            Some(r) => Poll::Ready(r.map_err(GpuError::Readback)),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl GpuDevice {
    /// Submits pending work with a copy of the first `n` f32 values of
    /// `buffer` into a staging buffer, and asks for it to be mapped.
    fn start_read(&self, buffer: &wgpu::Buffer, n: usize) -> Result<(wgpu::Buffer, u64, Mapped), GpuError> {
        let size = (n * 4) as u64;
        let class = size_class(size);
        let staging = match self.staging.take(class) {
            Some(b) => b,
            None => self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("kaoshi read-back"),
                size: class,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
        };
        self.flush_with_copy(buffer, &staging, size)?;
        let state = Arc::new(Mutex::new(MapState::default()));
        let shared = state.clone();
        staging.map_async(wgpu::MapMode::Read, ..size, move |r| {
            if let Ok(mut s) = shared.lock() {
                s.result = Some(r.map_err(|e| e.to_string()));
                if let Some(w) = s.waker.take() {
                    w.wake();
                }
            }
        });
        Ok((staging, size, Mapped(state)))
    }

    /// Copies the mapped values out and returns the staging buffer to its pool.
    fn finish_read(&self, staging: wgpu::Buffer, size: u64) -> Result<Vec<f32>, GpuError> {
        self.check_health()?;
        let data = {
            let view = staging.get_mapped_range(..size).map_err(|e| GpuError::Readback(e.to_string()))?;
            bytemuck::pod_collect_to_vec::<u8, f32>(&view)
        };
        staging.unmap();
        let class = staging.size();
        self.staging.put(staging, class);
        Ok(data)
    }

    /// Copies the first `n` f32 values of `buffer` to the host, blocking.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn read_f32(&self, buffer: &wgpu::Buffer, n: usize) -> Result<Vec<f32>, GpuError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let (staging, size, mapped) = self.start_read(buffer, n)?;
        if let Err(e) = self.device.poll(wgpu::PollType::wait_indefinitely()) {
            self.check_health()?;
            return Err(GpuError::Readback(e.to_string()));
        }
        if let Err(e) = pollster::block_on(mapped) {
            self.check_health()?;
            return Err(e);
        }
        self.finish_read(staging, size)
    }

    /// In the browser a read-back cannot block: use
    /// [`GpuDevice::download_tensor_async`].
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn read_f32(&self, _buffer: &wgpu::Buffer, _n: usize) -> Result<Vec<f32>, GpuError> {
        Err(GpuError::Readback("a blocking read-back is impossible in the browser; use download_tensor_async".into()))
    }

    /// Copies a tensor back to the host without blocking the thread (the
    /// way to read results in a browser; natively it waits on the device).
    pub async fn download_tensor_async(&self, x: &GpuTensor) -> Result<Vec<f32>, GpuError> {
        if x.is_empty() {
            return Ok(Vec::new());
        }
        let (staging, size, mapped) = self.start_read(&x.buffer, x.len())?;
        #[cfg(not(target_arch = "wasm32"))]
        self.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| GpuError::Readback(e.to_string()))?;
        if let Err(e) = mapped.await {
            self.check_health()?;
            return Err(e);
        }
        self.finish_read(staging, size)
    }

    /// Waits until the GPU has finished everything submitted (natively;
    /// benchmarks use it to time kernels).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn finish(&self) -> Result<(), GpuError> {
        self.flush()?;
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| GpuError::Wgpu { context: "waiting for the GPU", message: e.to_string() })
    }
}
