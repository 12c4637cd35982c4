//! kaoshi-model: one transformer implementation for the llama family
//! (`llama`, Mistral-style llama, llama2.c conversions, `qwen2`, `qwen3`),
//! written against the small [`Backend`] trait.
//!
//! The model knows shapes, tensor names and the order of operations; the
//! backend owns memory and arithmetic. A GPU backend implements [`Backend`]
//! and runs the same [`Model`] unchanged. Quantization is a property of a
//! weight that only the backend sees.
//!
//! Main types: [`ModelConfig`] (read from GGUF metadata and checked against
//! the tensors), [`Model`] (weights + forward pass), [`KvCache`], the one
//! forward request [`Forward`] with what it returns ([`ForwardOutput`]:
//! logits in [`LogitBlocks`], [`Captures`]), and the TransformerLens-style
//! hook points in [`hooks`]; control vectors steer every pass
//! ([`steering`], [`Model::set_steering`]). Backend failures are typed ([`BackendError`]).
//!
//! ```no_run
//! # fn demo<B: kaoshi_model::Backend>(backend: B) -> Result<(), kaoshi_model::ModelError> {
//! use kaoshi_model::{Forward, Model};
//! let file = kaoshi_formats::GgufFile::open("model.gguf".as_ref())?;
//! let model = Model::load(&file, backend)?;
//! let mut cache = model.new_cache();
//! let out = model.run(Forward::causal(&[1, 450, 4996]).logit_rows(&[2]), &mut cache)?;
//! let logits = out.logits.to_host(model.backend(), model.config().vocab_size)?;
//! println!("{} logits for the last position", logits.cols);
//! # Ok(()) }
//! ```

mod backend;
mod block;
mod config;
mod error;
mod forward;
pub mod hooks;
mod kv;
mod logit_blocks;
mod model;
mod normed;
mod request;
pub mod steering;
mod weights;

pub use backend::{
    Backend, FuseRows, HostTensor, KeySpan, LinearFusion, NormSpec, RopeSpec, TokenScore, host_argmax, host_log_prob,
    host_top_k,
};
pub use config::{Architecture, ModelConfig, RopeLayout, RopeScaling};
pub use error::{BackendError, ModelError};
pub use hooks::{Capture, CaptureRequest, HookPoint, HookSet, Intervention, RowSet};
pub use kv::KvCache;
pub use logit_blocks::{LogitBlocks, PickBlocks};
pub use model::Model;
pub use request::{Attention, CapturedRows, Captures, Forward, ForwardOutput, LogitRows};
pub use steering::{ControlVector, Steering};
