//! kaoshi-gpu: the GPU backend on wgpu 30 (Vulkan, Metal, DX12; WebGPU in
//! the browser), with WGSL kernels from the workspace's `shaders/` folder.
//!
//! - [`GpuDevice`]: adapter and device (async init; [`GpuError::NoAdapter`]
//!   when there is none), adapter summary for result records, a pipeline
//!   cache keyed by [`KernelSpec`]. Ops are recorded into one command
//!   encoder and submitted in batches (`record`), activations come from a
//!   buffer pool (`pool`), results are read back blocking or async
//!   (`readback`), kernels can be timed (`profile`).
//! - [`KernelSpec`]: a typed kernel variant ([`Op`], [`DType`], workgroup
//!   size, f16, subgroups) that assembles its WGSL source per [`Target`].
//! - [`GpuTensor`] / [`GpuMatrix`]: activations and weights on the device
//!   (quantized and F16 weights as the file's raw bytes in u32 words; a
//!   matrix over the binding limit split by rows, `split`).
//! - Ops: `add`, `silu_mul`, `rms_norm`, `rope`, `matmul` / `matmul_with`
//!   (a [`Fusion`]: the RMS norm before, the bias and a residual or SiLU
//!   gate after, in the same dispatch) and `embed` (F32, F16, Q8_0,
//!   Q4_0, Q4_1, Q5_0, Q5_1, Q2_K..Q6_K), `add_row_vector`, `attention`
//!   (split over keys for few rows), `token_scores` (log-probabilities and
//!   argmax on the device), `top_k` (sampling's candidates selected on the
//!   device, bit for bit the host's), each tested against the CPU backend
//!   (`tests/parity*.rs`, `tests/split.rs`).
//! - [`GpuBackend`]: [`kaoshi_model::Backend`] on these ops, so
//!   `kaoshi_model::Model` runs unchanged on the GPU (`tests/e2e.rs`).
//!
//! ```no_run
//! let dev = kaoshi_gpu::GpuDevice::new()?;
//! println!("{} on {}", dev.info().name, dev.info().backend);
//! # Ok::<(), kaoshi_gpu::GpuError>(())
//! ```

mod backend;
mod bind_cache;
#[cfg(target_arch = "wasm32")]
mod browser;
mod device;
mod error;
mod health;
mod kernel;
mod logits;
mod model_ops;
mod ops;
mod params;
mod pool;
mod profile;
mod readback;
mod record;
mod split;
mod tensor;

pub use backend::GpuBackend;
pub use device::{AdapterSummary, GpuDevice, Variant};
pub use error::GpuError;
pub use kernel::{DType, KernelSpec, Op, Target, WORKGROUP_SIZES};
pub use logits::TOP_K_MAX;
pub use ops::Fusion;
pub use profile::OpTime;
pub use tensor::{GpuMatrix, GpuTensor};
