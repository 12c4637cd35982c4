//! Opening a model file: header, weights (with a progress bar) on the chosen
//! backend, and tokenizer.
//!
//! [`Loaded`] holds a `kaoshi_runtime::AnyModel`, which decides where the
//! model runs (the rule for `auto` is there, shared with the browser);
//! commands stay generic over the backend through `kaoshi_runtime::with_model!`.

use std::collections::BTreeMap;
use std::path::Path;

use kaoshi_formats::GgufFile;
use kaoshi_gpu::GpuDevice;
use kaoshi_runtime::{AnyModel, BackendChoice, GpuTuning, LoadOptions};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::CliError;
use crate::progress::bar;

/// What a result record says about a GPU adapter.
#[derive(Debug, Clone, Serialize)]
pub struct AdapterInfo {
    /// The adapter's name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
    pub name: String,
    /// The API it runs through ("vulkan", "metal", ...).
    pub backend: String,
    /// Discrete, integrated, cpu, ...
    pub device_type: String,
    /// The features the adapter offers (wgpu names).
    pub features: Vec<String>,
    /// Whether it is a software rasterizer (lavapipe, SwiftShader), which
    /// `--backend auto` leaves for the CPU.
    pub software: bool,
    /// The limits that matter to compute kernels.
    pub limits: BTreeMap<&'static str, u64>,
    /// The kernel variant every op runs in.
    pub kernel_variant: KernelVariant,
}

/// The kernel variant chosen for a device ([`kaoshi_gpu::Variant`]).
#[derive(Debug, Clone, Serialize)]
pub struct KernelVariant {
    /// Invocations per workgroup.
    pub workgroup_size: u32,
    /// Whether the f16 variants are used.
    pub f16: bool,
    /// Whether reductions use subgroup operations.
    pub subgroups: bool,
    /// Whether decoding's RMS norms are folded into the products
    /// (`KAOSHI_GPU_FOLD_NORM`).
    pub fold_norm: bool,
    /// Whether prefill's tiled kernel computes 8 x 8 outputs per invocation
    /// (`KAOSHI_GPU_WIDE_TILES`).
    pub wide_tiles: bool,
}

impl AdapterInfo {
    /// The summary of an opened device.
    pub fn of(dev: &GpuDevice) -> Self {
        let i = dev.info();
        let l = &i.limits;
        let limits = BTreeMap::from([
            ("max_buffer_size", l.max_buffer_size),
            ("max_storage_buffer_binding_size", l.max_storage_buffer_binding_size),
            ("max_storage_buffers_per_shader_stage", u64::from(l.max_storage_buffers_per_shader_stage)),
            ("max_uniform_buffer_binding_size", l.max_uniform_buffer_binding_size),
            ("max_compute_workgroup_storage_size", u64::from(l.max_compute_workgroup_storage_size)),
            ("max_compute_invocations_per_workgroup", u64::from(l.max_compute_invocations_per_workgroup)),
            ("max_compute_workgroup_size_x", u64::from(l.max_compute_workgroup_size_x)),
            ("max_compute_workgroups_per_dimension", u64::from(l.max_compute_workgroups_per_dimension)),
        ]);
        Self {
            name: i.name.clone(),
            backend: i.backend.clone(),
            device_type: i.device_type.clone(),
            software: i.software,
            features: i.features.iter_names().map(|(n, _)| n.to_string()).collect(),
            limits,
            kernel_variant: {
                let v = dev.variant();
                KernelVariant {
                    workgroup_size: v.workgroup_size,
                    f16: v.f16,
                    subgroups: v.subgroups,
                    fold_norm: dev.folds_norm(),
                    wide_tiles: dev.wide_tiles(),
                }
            },
        }
    }

    /// "gpu: NAME (API)", the backend as result records name it.
    pub fn describe(&self) -> String {
        format!("gpu: {} ({})", self.name, self.backend)
    }
}

/// The GPU settings from the environment, checked before any device opens:
/// `KAOSHI_GPU_WORKGROUP_SIZE` (32, 64 or 256) overrides the default kernel
/// workgroup size, `KAOSHI_GPU_SUBMIT_EVERY` the number of dispatches
/// recorded before a submission, `KAOSHI_GPU_FOLD_NORM=1` folds RMS norms
/// into decoding's products (`GpuDevice::set_fold_norm`) and
/// `KAOSHI_GPU_WIDE_TILES=0` gives prefill's tiled kernel 4 x 4 outputs per
/// invocation instead of 8 x 8 (`GpuDevice::set_wide_tiles`), for tuning on
/// a given GPU.
pub fn gpu_tuning() -> Result<GpuTuning, CliError> {
    let mut t = GpuTuning::default();
    if let Ok(text) = std::env::var("KAOSHI_GPU_WORKGROUP_SIZE") {
        let size = text.parse::<u32>().ok().filter(|n| kaoshi_gpu::WORKGROUP_SIZES.contains(n)).ok_or_else(|| {
            CliError::Usage(format!(
                "KAOSHI_GPU_WORKGROUP_SIZE={text}: expected one of {:?}",
                kaoshi_gpu::WORKGROUP_SIZES
            ))
        })?;
        t.workgroup_size = Some(size);
    }
    if let Ok(text) = std::env::var("KAOSHI_GPU_SUBMIT_EVERY") {
        let n = text.parse::<u32>().ok().filter(|&n| n > 0).ok_or_else(|| {
            CliError::Usage(format!("KAOSHI_GPU_SUBMIT_EVERY={text}: expected a positive number of dispatches"))
        })?;
        t.submit_every = Some(n);
    }
    t.fold_norm = env_switch("KAOSHI_GPU_FOLD_NORM")?;
    t.wide_tiles = env_switch("KAOSHI_GPU_WIDE_TILES")?;
    Ok(t)
}

/// Whether `auto` may take a software GPU adapter (lavapipe, SwiftShader),
/// which it otherwise leaves for the CPU backend: `KAOSHI_AUTO_SOFTWARE_GPU=1`,
/// for tests of the GPU path through `auto` on a machine without a GPU.
pub fn auto_accepts_software() -> Result<bool, CliError> {
    Ok(env_switch("KAOSHI_AUTO_SOFTWARE_GPU")?.unwrap_or(false))
}

/// The device `choice` lands on, without loading weights (`kaoshi info`):
/// `None` for the CPU, with the note for `auto`.
pub fn choose_device(choice: BackendChoice) -> Result<Option<GpuDevice>, CliError> {
    let (tuning, software) = (gpu_tuning()?, auto_accepts_software()?);
    let chosen = pollster::block_on(kaoshi_runtime::choose_device(choice, &tuning, software));
    let (device, fallback) = chosen.map_err(|e| CliError::Backend { choice, source: e })?;
    if let Some(why) = fallback {
        eprintln!("note: --backend auto: using the cpu ({why})");
    }
    Ok(device)
}

/// An environment variable that is 0 or 1, if set.
fn env_switch(name: &str) -> Result<Option<bool>, CliError> {
    match std::env::var(name).as_deref() {
        Err(_) => Ok(None),
        Ok("0") => Ok(Some(false)),
        Ok("1") => Ok(Some(true)),
        Ok(other) => Err(CliError::Usage(format!("{name}={other}: expected 0 or 1"))),
    }
}

/// A model ready to run, with its tokenizer.
pub struct Loaded {
    /// The weights on the backend actually used.
    pub model: AnyModel,
    pub tokenizer: Tokenizer,
    pub model_name: Option<String>,
    /// The GPU adapter, when the model is on the GPU.
    pub adapter: Option<AdapterInfo>,
    /// The control vectors applied (`crate::steer`), for the provenance.
    pub steering: Option<kaoshi_harness::results::SteeringRecord>,
}

impl Loaded {
    /// The backend used: "cpu", or "gpu: ADAPTER (API)".
    pub fn backend(&self) -> String {
        self.model.describe()
    }

    /// Which backend the model is on, as a definite choice (never `Auto`).
    pub fn choice(&self) -> BackendChoice {
        match self.model {
            AnyModel::Cpu(_) => BackendChoice::Cpu,
            AnyModel::Gpu(_) => BackendChoice::Gpu,
        }
    }
}

/// Opens `path`, loads its weights on `choice`'s backend (a progress bar per block)
/// and builds its tokenizer. `auto` on the CPU says why in a one-line note
/// on stderr.
pub fn load_model(path: &Path, choice: BackendChoice) -> Result<Loaded, CliError> {
    let file = GgufFile::open(path)?;
    let tokenizer = Tokenizer::from_gguf_metadata(file.metadata().as_map())?;
    let model_name = file.metadata().get_str("general.name").map(str::to_string);
    let pb = bar(0, "loading");
    let mut progress = |done: usize, total: usize| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    };
    let opts = LoadOptions {
        tuning: gpu_tuning()?,
        auto_accepts_software: auto_accepts_software()?,
        progress: Some(&mut progress),
    };
    let placed = pollster::block_on(AnyModel::load(&file, choice, opts));
    pb.finish_and_clear();
    let placed = placed.map_err(|e| CliError::Backend { choice, source: e })?;
    if let Some(why) = &placed.fallback {
        eprintln!("note: --backend auto: using the cpu ({why})");
    }
    let adapter = match &placed.model {
        AnyModel::Gpu(m) => Some(AdapterInfo::of(m.backend().device())),
        AnyModel::Cpu(_) => None,
    };
    Ok(Loaded { model: placed.model, tokenizer, model_name, adapter, steering: None })
}
