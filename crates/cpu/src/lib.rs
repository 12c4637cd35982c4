//! kaoshi-cpu: the CPU backend, on candle-core tensors and `QMatMul`.
//!
//! [`CpuBackend`] implements [`kaoshi_model::Backend`]. Quantized weights stay
//! quantized (`QMatMul` runs candle's k-quant dot products); F32/F16/BF16
//! weights become f32 matrices. It is also the numerical reference that
//! every GPU kernel is tested against, so it favours plain, exact code
//! (rope and RMS norm are written out as loops over f32) over cleverness.
//!
//! [`grad::GradBackend`] runs the same model on candle's autograd
//! (dequantized f32 or f64 weights) so that probes can take gradients with
//! respect to activations marked by a `GradientLeaf` hook.
//!
//! candle is this crate's alone: [`ggml`] turns kaoshi's GGUF types into
//! candle's, [`synth`] writes synthetic models of real architectures
//! (seeded random weights quantized by candle) for tests and benchmarks,
//! and [`quantize`] rewrites a model's weights in another type
//! (`kaoshi quantize`), streaming tensor by tensor.
//!
//! ```no_run
//! # fn main() -> Result<(), kaoshi_model::ModelError> {
//! let file = kaoshi_formats::GgufFile::open("model.gguf".as_ref())?;
//! let model = kaoshi_model::Model::load(&file, kaoshi_cpu::CpuBackend::new())?;
//! # Ok(()) }
//! ```

mod attention;
mod backend;
mod elementwise;
pub mod ggml;
pub mod grad;
pub mod quantize;
pub mod synth;

pub use backend::CpuBackend;
pub use grad::GradBackend;
