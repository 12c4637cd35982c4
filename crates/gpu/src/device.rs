//! [`GpuDevice`]: adapter selection, device, queue, the pipeline cache and
//! the small helpers every op uses (buffers, one dispatch, read-back).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use wgpu::util::DeviceExt;

use crate::GpuError;
use crate::kernel::{KernelSpec, Target};

/// What a result record needs to know about the adapter.
#[derive(Debug, Clone)]
pub struct AdapterSummary {
    /// The adapter's name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
    pub name: String,
    /// The API wgpu runs it through ("vulkan", "metal", "browserwebgpu", ...).
    pub backend: String,
    /// Its device type (discrete, integrated, cpu, ...).
    pub device_type: String,
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
    pipelines: Mutex<HashMap<KernelSpec, wgpu::ComputePipeline>>,
    /// Compute dispatches recorded so far (see [`GpuDevice::dispatch_count`]).
    dispatches: AtomicU64,
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
    /// adapter has them, and the adapter's own limits.
    pub async fn new_async() -> Result<Self, GpuError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = instance.request_adapter(&options).await.map_err(|_| GpuError::NoAdapter)?;
        let wanted = wgpu::Features::SHADER_F16 | wgpu::Features::SUBGROUP;
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
            features: adapter.features(),
            limits,
        };
        let variant = Variant {
            workgroup_size: 64,
            f16: features.contains(wgpu::Features::SHADER_F16),
            subgroups: features.contains(wgpu::Features::SUBGROUP),
        };
        Ok(Self { device, queue, info, variant, pipelines: Mutex::new(HashMap::new()), dispatches: AtomicU64::new(0) })
    }

    /// The adapter's name, backend, features and limits.
    pub fn info(&self) -> &AdapterSummary {
        &self.info
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
            self.device
                .poll(wgpu::PollType::wait_indefinitely())
                .map(|_| ())
                .map_err(|e| GpuError::Wgpu { context: "waiting for the copy kernel", message: e.to_string() })
        };
        // Warm-up: builds the pipeline and touches both buffers.
        self.dispatch(spec, &[&src, &dst], &[n], groups)?;
        wait()?;
        let mut best = f64::INFINITY;
        for _ in 0..REPS {
            let t = std::time::Instant::now();
            self.dispatch(spec, &[&src, &dst], &[n], groups)?;
            wait()?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        Ok(2.0 * size as f64 / best / 1e9)
    }

    /// The kernel variant ops use.
    pub fn variant(&self) -> Variant {
        self.variant
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

    fn pipeline(&self, spec: KernelSpec) -> Result<wgpu::ComputePipeline, GpuError> {
        let mut cache = self.pipelines.lock().map_err(|_| GpuError::Readback("pipeline cache poisoned".into()))?;
        if let Some(p) = cache.get(&spec) {
            return Ok(p.clone());
        }
        if !spec.is_supported() {
            return Err(GpuError::UnsupportedKernel(format!("{spec:?}")));
        }
        let target = if cfg!(target_arch = "wasm32") { Target::Browser } else { Target::Native };
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
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Wgpu { context: "building a pipeline", message: e.to_string() });
        }
        cache.insert(spec, pipeline.clone());
        Ok(pipeline)
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
        Ok(self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor { label: None, contents: bytes, usage }))
    }

    /// An uninitialised storage buffer of `n` f32 values.
    pub(crate) fn storage_f32(&self, n: usize) -> Result<wgpu::Buffer, GpuError> {
        let size = (n.max(1) * 4) as u64;
        let limit = self.info.limits.max_storage_buffer_binding_size;
        if size > limit {
            return Err(GpuError::TooLarge { bytes: size, limit });
        }
        Ok(self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }))
    }

    /// Runs `spec` once over `groups` workgroups with `buffers` at bindings
    /// 0.. and the uniform `params` (u32 words) after them.
    pub(crate) fn dispatch(
        &self,
        spec: KernelSpec,
        buffers: &[&wgpu::Buffer],
        params: &[u32],
        groups: u32,
    ) -> Result<(), GpuError> {
        if groups == 0 {
            return Ok(());
        }
        let pipeline = self.pipeline(spec)?;
        let mut words = params.to_vec();
        words.resize(params.len().div_ceil(4).max(1) * 4, 0);
        let uniform = self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: None,
            contents: bytemuck::cast_slice(&words),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let mut entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
            .collect();
        entries.push(wgpu::BindGroupEntry { binding: buffers.len() as u32, resource: uniform.as_entire_binding() });
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        let max = self.info.limits.max_compute_workgroups_per_dimension.max(1);
        let (x, y) = if groups <= max { (groups, 1) } else { (max, groups.div_ceil(max)) };
        let mut encoder = self.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(x, y, 1);
        }
        self.queue.submit([encoder.finish()]);
        self.dispatches.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Copies the first `n` f32 values of `buffer` to the host.
    pub(crate) fn read_f32(&self, buffer: &wgpu::Buffer, n: usize) -> Result<Vec<f32>, GpuError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let size = (n * 4) as u64;
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, size);
        self.queue.submit([encoder.finish()]);
        let (tx, rx) = std::sync::mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = tx.send(r);
        });
        self.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| GpuError::Readback(e.to_string()))?;
        rx.recv().map_err(|e| GpuError::Readback(e.to_string()))?.map_err(|e| GpuError::Readback(e.to_string()))?;
        let data = {
            let view = staging.get_mapped_range(..).map_err(|e| GpuError::Readback(e.to_string()))?;
            bytemuck::pod_collect_to_vec::<u8, f32>(&view)
        };
        staging.unmap();
        Ok(data)
    }
}
