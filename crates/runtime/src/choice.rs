//! Which device runs the model: [`BackendChoice`], the GPU's
//! [`GpuTuning`], and for `auto` the rule and its [`Fallback`] reason.

use std::fmt;
use std::str::FromStr;

use kaoshi_gpu::GpuDevice;
use kaoshi_model::{BackendError, ModelError};

/// Where to run the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// The CPU backend (candle; wasm SIMD in the browser).
    #[default]
    Cpu,
    /// The GPU (wgpu: Vulkan, Metal, DX12, or WebGPU in the browser),
    /// software adapters included; an error when none opens or the model
    /// does not load on it.
    Gpu,
    /// The GPU when a hardware adapter opens and the model loads on it,
    /// else the CPU, saying why ([`Fallback`]).
    Auto,
}

impl BackendChoice {
    /// "cpu", "gpu" or "auto".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Gpu => "gpu",
            Self::Auto => "auto",
        }
    }
}

impl fmt::Display for BackendChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A backend name that is not "cpu", "gpu" or "auto".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("backend {0:?}: expected \"cpu\", \"gpu\" or \"auto\"")]
pub struct UnknownBackend(pub String);

impl FromStr for BackendChoice {
    type Err = UnknownBackend;

    fn from_str(s: &str) -> Result<Self, UnknownBackend> {
        match s {
            "cpu" => Ok(Self::Cpu),
            "gpu" => Ok(Self::Gpu),
            "auto" => Ok(Self::Auto),
            other => Err(UnknownBackend(other.to_string())),
        }
    }
}

/// Kernel and submission settings applied to a GPU device when it opens
/// (`None` keeps the device's default). The CLI reads them from
/// `KAOSHI_GPU_*` variables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpuTuning {
    /// Invocations per workgroup (one of [`kaoshi_gpu::WORKGROUP_SIZES`]).
    pub workgroup_size: Option<u32>,
    /// Dispatches recorded before a submission.
    pub submit_every: Option<u32>,
    /// Fold RMS norms into decoding's products.
    pub fold_norm: Option<bool>,
    /// 8 x 8 outputs per invocation in prefill's tiled kernel (else 4 x 4).
    pub wide_tiles: Option<bool>,
}

impl GpuTuning {
    /// Applies the settings to `dev`.
    pub fn apply(&self, dev: &mut GpuDevice) -> Result<(), BackendError> {
        if let Some(size) = self.workgroup_size {
            let mut v = dev.variant();
            v.workgroup_size = size;
            dev.set_variant(v)?;
        }
        if let Some(n) = self.submit_every {
            dev.set_submit_every(n);
        }
        if let Some(fold) = self.fold_norm {
            dev.set_fold_norm(fold);
        }
        if let Some(wide) = self.wide_tiles {
            dev.set_wide_tiles(wide);
        }
        Ok(())
    }
}

/// Why `auto` runs the model on the CPU.
#[derive(Debug)]
pub enum Fallback {
    /// No GPU device opened.
    NoDevice(BackendError),
    /// The adapter is a software rasterizer (named), slower than the CPU
    /// backend.
    SoftwareAdapter(String),
    /// The device opened but the model did not load on it.
    LoadFailed {
        /// The adapter's name.
        adapter: String,
        /// Why the model did not load.
        error: BackendError,
    },
}

impl fmt::Display for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoDevice(e) => write!(f, "no GPU device opened: {e}"),
            Self::SoftwareAdapter(name) => write!(
                f,
                "the GPU adapter {name:?} is a software rasterizer, slower than the cpu backend; \
                 choose the gpu backend to use it anyway"
            ),
            Self::LoadFailed { adapter, error } => write!(f, "the model did not load on the GPU {adapter:?}: {error}"),
        }
    }
}

/// The device a choice lands on before any weight is read: `None` for the
/// CPU (with the reason when `auto` chose it). With `Gpu` a device that
/// does not open is an error; with `Auto` it is a [`Fallback`], as is a
/// software adapter unless `auto_accepts_software`.
pub async fn choose_device(
    choice: BackendChoice,
    tuning: &GpuTuning,
    auto_accepts_software: bool,
) -> Result<(Option<GpuDevice>, Option<Fallback>), ModelError> {
    let opened = match choice {
        BackendChoice::Cpu => return Ok((None, None)),
        BackendChoice::Gpu => return Ok((Some(open_gpu(tuning).await?), None)),
        BackendChoice::Auto => open_gpu(tuning).await,
    };
    Ok(match opened {
        Ok(dev) if dev.info().software && !auto_accepts_software => {
            (None, Some(Fallback::SoftwareAdapter(dev.info().name.clone())))
        }
        Ok(dev) => (Some(dev), None),
        Err(e) => (None, Some(Fallback::NoDevice(e))),
    })
}

/// Opens the default GPU adapter with `tuning` applied.
async fn open_gpu(tuning: &GpuTuning) -> Result<GpuDevice, BackendError> {
    let mut dev = GpuDevice::new_async().await?;
    tuning.apply(&mut dev)?;
    Ok(dev)
}
