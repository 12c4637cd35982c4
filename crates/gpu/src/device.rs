//! [`GpuDevice`]: adapter selection, device, queue, the pipeline cache and
//! the small helpers every op uses (buffers, one dispatch, read-back).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use wgpu::util::DeviceExt;

use crate::GpuError;
use crate::health::Health;
use crate::kernel::{KernelSpec, Target};
use crate::pool::{Lease, Pool, size_class};
use crate::profile::Profiler;
use crate::record::Recording;

/// What a result record needs to know about the adapter.
#[derive(Debug, Clone)]
pub struct AdapterSummary {
    /// The adapter's name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
    pub name: String,
    /// The API wgpu runs it through ("vulkan", "metal", "browserwebgpu", ...).
    pub backend: String,
    /// Its device type (discrete, integrated, cpu, ...).
    pub device_type: String,
    /// Whether it is a software rasterizer (lavapipe, SwiftShader): wgpu's
    /// `DeviceType::Cpu`, or in a browser WebGPU's `isFallbackAdapter`.
    pub software: bool,
    /// Features the adapter offers.
    pub features: wgpu::Features,
    /// Limits the adapter offers (and the device was opened with).
    pub limits: wgpu::Limits,
}

/// Kernel choices applied to every op (see [`KernelSpec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    /// Invocations per workgroup.
    pub workgroup_size: u32,
    /// Use SHADER_F16 code paths.
    pub f16: bool,
    /// Use subgroup reductions.
    pub subgroups: bool,
}

/// An opened GPU device with its queue and compiled pipelines.
pub struct GpuDevice {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    info: AdapterSummary,
    variant: Variant,
    pipelines: Mutex<HashMap<KernelSpec, (wgpu::ComputePipeline, wgpu::BindGroupLayout)>>,
    /// Compute dispatches recorded so far (see [`GpuDevice::dispatch_count`]).
    pub(crate) dispatches: AtomicU64,
    /// Ops recorded and not yet submitted ([`crate::record`]).
    pub(crate) recording: Mutex<Recording>,
    /// Activation buffers free for reuse ([`crate::pool`]).
    pub(crate) pool: Arc<Pool>,
    /// Read-back staging buffers free for reuse.
    pub(crate) staging: Pool,
    /// Weight matrices larger than this are split by rows (the adapter's
    /// binding limit unless lowered by [`GpuDevice::set_split_bytes`]).
    split_bytes: u64,
    /// Submit after this many recorded dispatches ([`GpuDevice::set_submit_every`]).
    pub(crate) submit_every: u32,
    /// Fold RMS norms into one-row products ([`GpuDevice::set_fold_norm`]).
    fold_norm: bool,
    /// 8 x 8 outputs per invocation in the tiled kernel ([`GpuDevice::set_wide_tiles`]).
    wide_tiles: bool,
    /// Per-kernel GPU timing, when enabled ([`crate::profile`]).
    pub(crate) profiler: Mutex<Option<Profiler>>,
    /// A small storage buffer bound where a kernel's optional input is absent.
    pub(crate) placeholder: wgpu::Buffer,
    /// Another, bound where an optional output is absent (a buffer may not
    /// be bound read-only and writable in one dispatch).
    pub(crate) placeholder_out: wgpu::Buffer,
    /// Errors and loss reported by wgpu ([`crate::health`]).
    pub(crate) health: Arc<Health>,
}

impl std::fmt::Debug for GpuDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuDevice").field("adapter", &self.info.name).field("variant", &self.variant).finish()
    }
}

impl GpuDevice {
    /// Opens the default adapter (high performance preferred), blocking.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new() -> Result<Self, GpuError> {
        pollster::block_on(Self::new_async())
    }

    /// Opens the default adapter. Requests SHADER_F16 and SUBGROUP when the
    /// adapter has them, and the adapter's own limits. In a browser,
    /// `navigator.gpu` is asked for an adapter first (`browser.rs`): wgpu
    /// panics, rather than failing, where WebGPU is absent.
    // wgpu's handles are Send and Sync natively, not in the browser (one thread).
    #[cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]
    pub async fn new_async() -> Result<Self, GpuError> {
        #[cfg(target_arch = "wasm32")]
        let browser_fallback = crate::browser::probe_webgpu().await?;
        #[cfg(not(target_arch = "wasm32"))]
        let browser_fallback = false;
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = instance.request_adapter(&options).await.map_err(|_| GpuError::NoAdapter)?;
        let wanted = wgpu::Features::SHADER_F16
            | wgpu::Features::SUBGROUP
            | wgpu::Features::TIMESTAMP_QUERY
            | wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES;
        let features = adapter.features() & wanted;
        let limits = adapter.limits();
        let desc = wgpu::DeviceDescriptor {
            label: Some("kaoshi"),
            required_features: features,
            required_limits: limits.clone(),
            ..Default::default()
        };
        let (device, queue) =
            adapter.request_device(&desc).await.map_err(|e| GpuError::RequestDevice(e.to_string()))?;
        let ai = adapter.get_info();
        let info = AdapterSummary {
            name: ai.name,
            backend: ai.backend.to_string(),
            device_type: format!("{:?}", ai.device_type),
            software: browser_fallback || ai.device_type == wgpu::DeviceType::Cpu,
            features: adapter.features(),
            limits,
        };
        let variant = Variant {
            workgroup_size: 64,
            f16: features.contains(wgpu::Features::SHADER_F16),
            subgroups: features.contains(wgpu::Features::SUBGROUP),
        };
        let health = Health::watch(&device);
        let small = |label| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: 16,
                usage: wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            })
        };
        let (placeholder, placeholder_out) = (small("kaoshi placeholder"), small("kaoshi placeholder output"));
        Ok(Self {
            device,
            queue,
            info,
            variant,
            pipelines: Mutex::new(HashMap::new()),
            dispatches: AtomicU64::new(0),
            recording: Mutex::new(Recording::default()),
            pool: Arc::new(Pool::default()),
            staging: Pool::default(),
            split_bytes: u64::MAX,
            submit_every: 48,
            fold_norm: false,
            wide_tiles: true,
            profiler: Mutex::new(None),
            placeholder,
            placeholder_out,
            health,
        })
    }

    /// The adapter's name, backend, features and limits.
    pub fn info(&self) -> &AdapterSummary {
        &self.info
    }

    /// Bind groups taken from the cache and made anew so far
    /// (`bind_cache.rs`).
    pub fn bind_group_stats(&self) -> (u64, u64) {
        self.recording.lock().map_or((0, 0), |r| (r.bind_groups.hits, r.bind_groups.misses))
    }

    /// Compute dispatches issued on this device since it was opened (one per
    /// kernel launch; buffer copies are not counted). Read it before and
    /// after a forward pass for the dispatches per token.
    pub fn dispatch_count(&self) -> u64 {
        self.dispatches.load(Ordering::Relaxed)
    }

    /// Measures the device's memory bandwidth with a copy kernel: copies
    /// `bytes` (clamped to the adapter's binding and buffer limits, rounded
    /// down to 16 bytes) from one buffer to another a few times and returns
    /// GB/s (10^9 bytes per second) counting each byte read and written,
    /// i.e. `2 x bytes / seconds`, over the best of the timed repetitions.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn measure_copy_bandwidth(&self, bytes: u64) -> Result<f64, GpuError> {
        const REPS: usize = 5;
        let l = &self.info.limits;
        let size = bytes.min(l.max_storage_buffer_binding_size).min(l.max_buffer_size) / 16 * 16;
        if size == 0 {
            return Err(GpuError::Shape(format!("a copy of {bytes} bytes measures nothing")));
        }
        let n = crate::ops::count((size / 16) as usize)?;
        let usage = wgpu::BufferUsages::STORAGE;
        let make = || {
            self.device.create_buffer(&wgpu::BufferDescriptor { label: None, size, usage, mapped_at_creation: false })
        };
        let (src, dst) = (make(), make());
        let spec = self.spec(crate::Op::Copy, crate::DType::F32);
        let groups = n.div_ceil(spec.workgroup_size);
        let wait = || {
            self.flush()?;
            self.device
                .poll(wgpu::PollType::wait_indefinitely())
                .map(|_| ())
                .map_err(|e| GpuError::Wgpu { context: "waiting for the copy kernel", message: e.to_string() })
        };
        // Warm-up: builds the pipeline and touches both buffers.
        let params = crate::params::CountParams { n, ..Default::default() };
        self.dispatch(spec, &[&src, &dst], &params, groups)?;
        wait()?;
        let mut best = f64::INFINITY;
        for _ in 0..REPS {
            let t = std::time::Instant::now();
            self.dispatch(spec, &[&src, &dst], &params, groups)?;
            wait()?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        Ok(2.0 * size as f64 / best / 1e9)
    }

    /// Size in bytes above which a weight matrix is split by rows into
    /// several buffers: the adapter's `max_storage_buffer_binding_size`, or
    /// less when lowered by [`GpuDevice::set_split_bytes`].
    pub fn split_bytes(&self) -> u64 {
        self.split_bytes.min(self.info.limits.max_storage_buffer_binding_size)
    }

    /// Submits recorded work after every `dispatches` dispatches, so the GPU
    /// runs the first layers while later ones are still being recorded and
    /// encoded (wgpu's encoding costs microseconds per dispatch). Default 48:
    /// on an H100 through Vulkan it decoded 1.3x (0.5B) and 1.16x (7B) as
    /// fast as one submission per forward pass (README, GPU speed).
    pub fn set_submit_every(&mut self, dispatches: u32) {
        self.submit_every = dispatches.max(1);
    }

    /// Whether [`GpuDevice::matmul_with`] folds an RMS norm into the
    /// matrix-vector kernel for one row of x (`Op::MatVecNorm`: no norm
    /// dispatch, each team normalizes x as it reads it) or runs the norm as
    /// a dispatch of its own. Folding saves two dispatches a layer (a
    /// decode step is launch-bound on fast GPUs) but every team repeats the
    /// sum of squares and multiplies x by the norm's weights: on lavapipe
    /// it decoded 0.6x as fast (README, GPU speed). Default off until it
    /// is measured on a real GPU (`scripts/bench-gpu.sh` runs both).
    pub fn set_fold_norm(&mut self, fold: bool) {
        self.fold_norm = fold;
    }

    /// See [`GpuDevice::set_fold_norm`].
    pub fn folds_norm(&self) -> bool {
        self.fold_norm
    }

    /// Whether products of more rows than the matrix-vector kernel takes
    /// (prefill) run `Op::MatmulTiled8` (8 x 8 outputs per invocation:
    /// half the shared-memory reads per FMA, 128 x 128 tiles at 256
    /// invocations) instead of `Op::MatmulTiled` (4 x 4). Default on: on
    /// lavapipe the kernel ran 1.8x as fast (README, GPU speed); not yet
    /// measured on a real GPU, where more registers per invocation may cost
    /// occupancy (`scripts/bench-gpu.sh` prints pp512 both ways). Needs a
    /// workgroup size of at least 32 (else the 4 x 4 kernel runs).
    pub fn set_wide_tiles(&mut self, wide: bool) {
        self.wide_tiles = wide;
    }

    /// See [`GpuDevice::set_wide_tiles`].
    pub fn wide_tiles(&self) -> bool {
        self.wide_tiles
    }

    /// Lowers the size above which weight matrices are split (tests use it
    /// to split small matrices; the binding limit always applies).
    pub fn set_split_bytes(&mut self, bytes: u64) {
        self.split_bytes = bytes;
    }

    /// The kernel variant ops use.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// Whether this device can run `spec`: the extensions it declares are
    /// enabled and its workgroup size is within the limits.
    pub fn can_run(&self, spec: &KernelSpec) -> bool {
        let has = self.device.features();
        spec.is_supported()
            && (!spec.f16 || has.contains(wgpu::Features::SHADER_F16))
            && (!spec.subgroups || has.contains(wgpu::Features::SUBGROUP))
            && spec.workgroup_size <= self.info.limits.max_compute_invocations_per_workgroup
    }

    /// Compiles `spec` into a compute pipeline on this device, outside the
    /// pipeline cache, and returns what went wrong: the shader compiler's
    /// error messages and the validation errors of pipeline creation (empty
    /// when it compiles). In the browser these come from the browser's own
    /// WGSL compiler (Tint in Chromium), which naga's validation in the
    /// tests does not stand in for.
    pub async fn compile_errors(&self, spec: KernelSpec) -> Vec<String> {
        let target = if cfg!(target_arch = "wasm32") { Target::Browser } else { Target::Native };
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("kaoshi kernel check"),
            source: wgpu::ShaderSource::Wgsl(spec.source(target).into()),
        });
        let _pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("kaoshi kernel check"),
            layout: None,
            module: &module,
            entry_point: Some(spec.entry_point()),
            compilation_options: Default::default(),
            cache: None,
        });
        let mut errors: Vec<String> = module
            .get_compilation_info()
            .await
            .messages
            .into_iter()
            .filter(|m| m.message_type == wgpu::CompilationMessageType::Error)
            .map(|m| m.message)
            .collect();
        if let Some(e) = scope.pop().await {
            errors.push(e.to_string());
        }
        errors
    }

    /// Chooses the kernel variant; refuses extensions the device lacks.
    pub fn set_variant(&mut self, v: Variant) -> Result<(), GpuError> {
        let has = self.device.features();
        if v.f16 && !has.contains(wgpu::Features::SHADER_F16) {
            return Err(GpuError::MissingFeature { feature: "SHADER_F16" });
        }
        if v.subgroups && !has.contains(wgpu::Features::SUBGROUP) {
            return Err(GpuError::MissingFeature { feature: "SUBGROUP" });
        }
        if !v.workgroup_size.is_power_of_two()
            || v.workgroup_size > self.info.limits.max_compute_invocations_per_workgroup
        {
            return Err(GpuError::UnsupportedKernel(format!("workgroup size {}", v.workgroup_size)));
        }
        self.variant = v;
        Ok(())
    }

    /// The spec of `op` on `dtype` in the current variant.
    pub(crate) fn spec(&self, op: crate::Op, dtype: crate::DType) -> KernelSpec {
        let v = self.variant;
        KernelSpec { op, dtype, workgroup_size: v.workgroup_size, f16: v.f16, subgroups: v.subgroups }
    }

    /// The compute pipeline of `spec` and its bind group layout, built on
    /// first use. Natively a WGSL or validation error comes back as an error;
    /// in the browser the error scope can only be awaited, so an invalid
    /// pipeline surfaces through the device's error callback instead (every
    /// variant is validated by naga in the tests, so none is expected).
    pub(crate) fn pipeline(
        &self,
        spec: KernelSpec,
    ) -> Result<(wgpu::ComputePipeline, wgpu::BindGroupLayout), GpuError> {
        let mut cache = self.pipelines.lock().map_err(|_| GpuError::Readback("pipeline cache poisoned".into()))?;
        if let Some(p) = cache.get(&spec) {
            return Ok(p.clone());
        }
        if !spec.is_supported() {
            return Err(GpuError::UnsupportedKernel(format!("{spec:?}")));
        }
        let target = if cfg!(target_arch = "wasm32") { Target::Browser } else { Target::Native };
        #[cfg(not(target_arch = "wasm32"))]
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("kaoshi kernel"),
            source: wgpu::ShaderSource::Wgsl(spec.source(target).into()),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("kaoshi kernel"),
            layout: None,
            module: &module,
            entry_point: Some(spec.entry_point()),
            compilation_options: Default::default(),
            cache: None,
        });
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Wgpu { context: "building a pipeline", message: e.to_string() });
        }
        let layout = pipeline.get_bind_group_layout(0);
        cache.insert(spec, (pipeline.clone(), layout.clone()));
        Ok((pipeline, layout))
    }

    /// A storage buffer holding `bytes` (at least 4 bytes long).
    pub(crate) fn storage_init(&self, bytes: &[u8]) -> Result<wgpu::Buffer, GpuError> {
        let limit = self.info.limits.max_storage_buffer_binding_size;
        if bytes.len() as u64 > limit {
            return Err(GpuError::TooLarge { bytes: bytes.len() as u64, limit });
        }
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
        if bytes.len() < 4 {
            let mut padded = bytes.to_vec();
            padded.resize(4, 0);
            return Ok(self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: None,
                contents: &padded,
                usage,
            }));
        }
        // Not `create_buffer_init`: on WebGPU its mapped range is a copy in
        // wasm memory, which doubled the heap's peak while loading weights;
        // `write_buffer` hands the browser a view of the bytes instead.
        // Callers pad to a multiple of 4 (the copy alignment).
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: bytes.len() as u64,
            usage,
            mapped_at_creation: false,
        });
        self.queue.write_buffer(&buffer, 0, bytes);
        Ok(buffer)
    }

    /// A storage buffer for `n` f32 values from the pool (contents
    /// undefined), and its lease.
    pub(crate) fn storage_f32(&self, n: usize) -> Result<(wgpu::Buffer, Arc<Lease>), GpuError> {
        let bytes = (n.max(1) * 4) as u64;
        let limit = self.info.limits.max_storage_buffer_binding_size;
        if bytes > limit {
            return Err(GpuError::TooLarge { bytes, limit });
        }
        let class = size_class(bytes).min(limit / 4 * 4).max(bytes);
        let buffer = match self.pool.take(class) {
            Some(b) => b,
            None => self.device.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: class,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
        };
        let lease = Lease::new(buffer.clone(), bytes, Some(self.pool.clone()));
        Ok((buffer, lease))
    }

    /// Bytes held by pooled free buffers (for memory reports and tests).
    pub fn pooled_bytes(&self) -> u64 {
        self.pool.free_bytes()
    }
}
