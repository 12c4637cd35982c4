//! kaoshi-runtime: a model on whichever backend runs it, chosen in one
//! place for every front end (the `kaoshi` CLI and the browser's
//! `kaoshi-wasm`).
//!
//! - [`BackendChoice`]: `cpu`, `gpu` or `auto`.
//! - [`choose_device`]: the device a choice lands on, before any weight is
//!   read, and for `auto` on the CPU the [`Fallback`] that says why. `auto`
//!   takes the GPU only when a hardware adapter opens: a software one
//!   (lavapipe, SwiftShader; wgpu's `DeviceType::Cpu`, WebGPU's
//!   `isFallbackAdapter`) is tens of times slower than the CPU backend.
//! - [`AnyModel`]: the loaded model on the CPU or the GPU
//!   ([`AnyModel::load`]); [`with_model!`] runs generic code on it, whichever
//!   backend it is on, and [`with_model_pair!`] on a model and a judge.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kaoshi_model::ModelError> {
//! use kaoshi_runtime::{AnyModel, BackendChoice, LoadOptions, with_model};
//! let file = kaoshi_formats::GgufFile::open("model.gguf".as_ref())?;
//! let placed = AnyModel::load(&file, BackendChoice::Auto, LoadOptions::default()).await?;
//! if let Some(why) = &placed.fallback {
//!     eprintln!("note: running on the cpu ({why})");
//! }
//! let vocab = with_model!(&placed.model, |m| m.config().vocab_size);
//! # Ok(()) }
//! ```

mod choice;
mod dispatch;

pub use choice::{BackendChoice, Fallback, GpuTuning, UnknownBackend, choose_device};

use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::{AdapterSummary, GpuBackend};
use kaoshi_model::{BackendError, Model, ModelConfig, ModelError};

/// The model on one backend.
pub enum AnyModel {
    /// On the CPU (boxed, as is the GPU model: both are a few hundred
    /// bytes inline and of different sizes).
    Cpu(Box<Model<CpuBackend>>),
    /// On the GPU.
    Gpu(Box<Model<GpuBackend>>),
}

/// How [`AnyModel::load`] loads.
#[derive(Default)]
pub struct LoadOptions<'a> {
    /// Kernel and submission settings for a GPU device.
    pub tuning: GpuTuning,
    /// Let `auto` take a software adapter as a GPU (tests on lavapipe use
    /// it to reach the GPU path through `auto`).
    pub auto_accepts_software: bool,
    /// Called with (blocks loaded, blocks in all) as weights load.
    pub progress: Option<&'a mut dyn FnMut(usize, usize)>,
}

/// A loaded model and, when `auto` ran it on the CPU, why.
pub struct Placement {
    /// The model.
    pub model: AnyModel,
    /// Why `auto` chose the CPU (`None` otherwise).
    pub fallback: Option<Fallback>,
}

impl AnyModel {
    /// Reads the configuration (a malformed file fails here, on any
    /// backend), chooses the device ([`choose_device`]) and loads the
    /// weights on it, tensor by tensor. With `auto`, a model the GPU cannot
    /// hold (a tensor type without kernels, a buffer over a limit) loads on
    /// the CPU instead, and [`Placement::fallback`] says why.
    pub async fn load(file: &GgufFile, choice: BackendChoice, opts: LoadOptions<'_>) -> Result<Placement, ModelError> {
        ModelConfig::from_gguf(file)?;
        let mut no_progress = |_, _| {};
        let progress = opts.progress.unwrap_or(&mut no_progress);
        let (device, fallback) = choose_device(choice, &opts.tuning, opts.auto_accepts_software).await?;
        let Some(dev) = device else {
            return Ok(Placement { model: load_cpu(file, progress)?, fallback });
        };
        let adapter = dev.info().name.clone();
        match Model::load_with_progress(file, GpuBackend::from_device(dev), progress) {
            Ok(m) => Ok(Placement { model: AnyModel::Gpu(Box::new(m)), fallback }),
            Err(ModelError::Backend(error)) if choice == BackendChoice::Auto => {
                let fallback = Some(Fallback::LoadFailed { adapter, error });
                Ok(Placement { model: load_cpu(file, progress)?, fallback })
            }
            Err(e) => Err(e),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ModelConfig {
        with_model!(self, |m| m.config())
    }

    /// Steers every later pass ([`Model::set_steering`]).
    pub fn set_steering(&mut self, steering: Option<kaoshi_model::Steering>) {
        match self {
            AnyModel::Cpu(m) => m.set_steering(steering),
            AnyModel::Gpu(m) => m.set_steering(steering),
        }
    }

    /// The GPU adapter, on the GPU.
    pub fn adapter(&self) -> Option<&AdapterSummary> {
        match self {
            AnyModel::Cpu(_) => None,
            AnyModel::Gpu(m) => Some(m.backend().device().info()),
        }
    }

    /// Which backend: "cpu" or "gpu".
    pub fn backend_name(&self) -> &'static str {
        match self {
            AnyModel::Cpu(_) => "cpu",
            AnyModel::Gpu(_) => "gpu",
        }
    }

    /// The backend as result records name it: "cpu", or "gpu: ADAPTER (API)".
    pub fn describe(&self) -> String {
        match self.adapter() {
            Some(a) => format!("gpu: {} ({})", a.name, a.backend),
            None => "cpu".into(),
        }
    }

    /// On the GPU, destroys the device as if the driver or browser had
    /// lost it (every later call fails with [`BackendError::DeviceLost`]);
    /// returns whether there was a device. For tests of what callers do then.
    pub fn lose_device(&self) -> bool {
        match self {
            AnyModel::Gpu(m) => {
                m.backend().device().destroy();
                true
            }
            AnyModel::Cpu(_) => false,
        }
    }
}

/// Loads on the CPU, after checking that the weights' bytes can be
/// allocated: the CPU backend copies every tensor, and in a browser's wasm
/// heap a failed allocation aborts the module instead of returning an error.
fn load_cpu(file: &GgufFile, progress: &mut dyn FnMut(usize, usize)) -> Result<AnyModel, ModelError> {
    let weights: u64 = file.tensors().iter().map(|t| t.n_bytes).sum();
    let too_big = || BackendError::OutOfMemory {
        backend: "cpu",
        requested: Some(weights),
        limit: None,
        detail: format!("the model's weights need {} MiB more memory than can be allocated", weights >> 20),
    };
    let n = usize::try_from(weights).map_err(|_| too_big())?;
    Vec::<u8>::new().try_reserve_exact(n).map_err(|_| too_big())?;
    Ok(AnyModel::Cpu(Box::new(Model::load_with_progress(file, CpuBackend::new(), progress)?)))
}
