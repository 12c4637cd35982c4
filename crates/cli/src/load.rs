//! Opening a model file: header, weights (with a progress bar) on the chosen
//! backend, and tokenizer.
//!
//! [`Loaded`] holds an [`Engine`]: the model on the CPU or on the GPU. Each
//! command stays generic over `B: Backend` through [`with_model!`], which
//! expands its body once per engine.

use std::collections::BTreeMap;
use std::path::Path;

use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::{GpuBackend, GpuDevice};
use kaoshi_model::{Backend, Model, ModelError};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::CliError;
use crate::progress::bar;

/// The `--backend` option: where the model's weights and ops live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BackendChoice {
    /// The CPU (candle-core).
    #[default]
    Cpu,
    /// The GPU (wgpu); fails when there is no adapter or a tensor type the
    /// GPU kernels lack.
    Gpu,
    /// The GPU when an adapter exists and the model loads on it, else the CPU.
    Auto,
}

/// The model on one backend.
pub enum Engine {
    /// On the CPU (boxed, as is the GPU model: both are a few hundred
    /// bytes inline and of different sizes).
    Cpu(Box<Model<CpuBackend>>),
    /// On the GPU.
    Gpu(Box<Model<GpuBackend>>),
}

/// Runs `$body` with `$m` bound to the `&Model<B>` of a [`Loaded`] (or an
/// [`Engine`] through `engine: ...`), whichever backend it is on.
macro_rules! with_model {
    ($loaded:expr, |$m:ident| $body:expr) => {
        match &$loaded.engine {
            $crate::load::Engine::Cpu(boxed) => {
                let $m = &**boxed;
                $body
            }
            $crate::load::Engine::Gpu(boxed) => {
                let $m = &**boxed;
                $body
            }
        }
    };
}
pub(crate) use with_model;

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

/// Opens the default GPU device, or says why there is none in one line.
/// `KAOSHI_GPU_WORKGROUP_SIZE` (32, 64 or 256) overrides the default
/// kernel workgroup size, `KAOSHI_GPU_SUBMIT_EVERY` the number of
/// dispatches recorded before a submission, `KAOSHI_GPU_FOLD_NORM=1`
/// folds RMS norms into decoding's products (`GpuDevice::set_fold_norm`)
/// and `KAOSHI_GPU_WIDE_TILES=0` gives prefill's tiled kernel 4 x 4 outputs
/// per invocation instead of 8 x 8 (`GpuDevice::set_wide_tiles`), for
/// tuning on a given GPU.
pub fn open_device() -> Result<GpuDevice, CliError> {
    let mut dev = GpuDevice::new().map_err(|e| CliError::Usage(format!("--backend gpu: {e}")))?;
    if let Ok(text) = std::env::var("KAOSHI_GPU_WORKGROUP_SIZE") {
        let size = text.parse::<u32>().ok().filter(|n| kaoshi_gpu::WORKGROUP_SIZES.contains(n)).ok_or_else(|| {
            CliError::Usage(format!(
                "KAOSHI_GPU_WORKGROUP_SIZE={text}: expected one of {:?}",
                kaoshi_gpu::WORKGROUP_SIZES
            ))
        })?;
        let mut v = dev.variant();
        v.workgroup_size = size;
        dev.set_variant(v).map_err(|e| CliError::Usage(format!("KAOSHI_GPU_WORKGROUP_SIZE={text}: {e}")))?;
    }
    if let Ok(text) = std::env::var("KAOSHI_GPU_SUBMIT_EVERY") {
        let n = text.parse::<u32>().ok().filter(|&n| n > 0).ok_or_else(|| {
            CliError::Usage(format!("KAOSHI_GPU_SUBMIT_EVERY={text}: expected a positive number of dispatches"))
        })?;
        dev.set_submit_every(n);
    }
    if let Some(fold) = env_switch("KAOSHI_GPU_FOLD_NORM")? {
        dev.set_fold_norm(fold);
    }
    if let Some(wide) = env_switch("KAOSHI_GPU_WIDE_TILES")? {
        dev.set_wide_tiles(wide);
    }
    Ok(dev)
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
    pub engine: Engine,
    pub tokenizer: Tokenizer,
    pub model_name: Option<String>,
    /// The GPU adapter, when the engine is on the GPU.
    pub adapter: Option<AdapterInfo>,
}

impl Loaded {
    /// The backend used: "cpu", or "gpu: ADAPTER (API)".
    pub fn backend(&self) -> String {
        match &self.adapter {
            Some(a) => a.describe(),
            None => "cpu".into(),
        }
    }

    /// Which backend the engine is on, as a definite choice (never `Auto`).
    pub fn choice(&self) -> BackendChoice {
        match self.engine {
            Engine::Cpu(_) => BackendChoice::Cpu,
            Engine::Gpu(_) => BackendChoice::Gpu,
        }
    }
}

fn load_on<B: Backend>(file: &GgufFile, backend: B) -> Result<Model<B>, ModelError> {
    let pb = bar(0, "loading");
    let model = Model::load_with_progress(file, backend, &mut |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    });
    pb.finish_and_clear();
    model
}

/// Loads on the GPU: the device, then the weights; errors name the adapter.
fn load_gpu(file: &GgufFile) -> Result<(Model<GpuBackend>, AdapterInfo), CliError> {
    let dev = open_device()?;
    let adapter = AdapterInfo::of(&dev);
    let model = load_on(file, GpuBackend::from_device(dev))
        .map_err(|e| CliError::Usage(format!("--backend gpu on {}: {e}", adapter.name)))?;
    Ok((model, adapter))
}

/// Opens `path`, loads its weights on `backend` and builds its tokenizer.
/// `Auto` falls back to the CPU with a one-line note on stderr.
pub fn load_model(path: &Path, backend: BackendChoice) -> Result<Loaded, CliError> {
    let file = GgufFile::open(path)?;
    let tokenizer = Tokenizer::from_gguf_metadata(file.metadata().as_map())?;
    let model_name = file.metadata().get_str("general.name").map(str::to_string);
    let (engine, adapter) = match backend {
        BackendChoice::Cpu => (Engine::Cpu(Box::new(load_on(&file, CpuBackend::new())?)), None),
        BackendChoice::Gpu => {
            let (m, a) = load_gpu(&file)?;
            (Engine::Gpu(Box::new(m)), Some(a))
        }
        BackendChoice::Auto => match load_gpu(&file) {
            Ok((m, a)) => (Engine::Gpu(Box::new(m)), Some(a)),
            Err(e) => {
                let why = e.to_string();
                let why = why.strip_prefix("--backend gpu").unwrap_or(&why);
                eprintln!("note: --backend auto: using the cpu (gpu{why})");
                (Engine::Cpu(Box::new(load_on(&file, CpuBackend::new())?)), None)
            }
        },
    };
    Ok(Loaded { engine, tokenizer, model_name, adapter })
}
