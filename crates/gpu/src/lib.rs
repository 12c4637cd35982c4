//! kaoshi-gpu: the GPU backend on wgpu 30 (Vulkan, Metal, DX12; WebGPU in
//! the browser), with WGSL kernels from the workspace's `shaders/` folder.
//!
//! - [`GpuDevice`]: adapter and device (async init; [`GpuError::NoAdapter`]
//!   when there is none), adapter summary for result records, a pipeline
//!   cache keyed by [`KernelSpec`].
//! - [`KernelSpec`]: a typed kernel variant ([`Op`], [`DType`], workgroup
//!   size, f16, subgroups) that assembles its WGSL source per [`Target`].
//! - [`GpuTensor`] / [`GpuMatrix`]: activations and weights on the device
//!   (quantized and F16 weights as the file's raw bytes in u32 words).
//! - Ops: `add`, `silu_mul`, `rms_norm`, `rope`, `matmul` and `embed` (F32,
//!   F16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q6_K), `add_row_vector`, `attention`, each tested against the CPU
//!   backend (`tests/parity.rs`).
//! - [`GpuBackend`]: [`kaoshi_model::Backend`] on these ops, so
//!   `kaoshi_model::Model` runs unchanged on the GPU (`tests/e2e.rs`).
//!
//! ```no_run
//! let dev = kaoshi_gpu::GpuDevice::new()?;
//! println!("{} on {}", dev.info().name, dev.info().backend);
//! # Ok::<(), kaoshi_gpu::GpuError>(())
//! ```

mod backend;
mod device;
mod error;
mod kernel;
mod model_ops;
mod ops;
mod tensor;

pub use backend::GpuBackend;
pub use device::{AdapterSummary, GpuDevice, Variant};
pub use error::GpuError;
pub use kernel::{DType, KernelSpec, Op, Target, WORKGROUP_SIZES};
pub use tensor::{GpuMatrix, GpuTensor};
