//! kaoshi-formats: reading model files.
//!
//! The main type is [`GgufFile`]: a GGUF (v1, v2 or v3) file whose header has
//! been parsed and checked against the file's length, so that every later
//! read of a tensor is known to be inside the file. Bad input never panics;
//! it yields a [`FormatError`] naming what is wrong.
//!
//! ```no_run
//! # fn main() -> Result<(), kaoshi_formats::FormatError> {
//! let file = kaoshi_formats::GgufFile::open("model.gguf".as_ref())?;
//! println!("{} tensors, architecture {:?}", file.tensors().len(), file.architecture());
//! # Ok(()) }
//! ```
//!
//! The bytes come from a [`ByteSource`]: a file ([`GgufFile::open`]) or a
//! buffer in memory ([`GgufFile::from_bytes`], as in a browser, where there
//! are no paths).
//!
//! Small files of F32 tensors (control vectors) are written with
//! [`gguf_bytes`]; whole models of any tensor type stream out tensor by
//! tensor through [`GgufWriter`] (`kaoshi quantize`).
//!
//! Tensor payloads are read on demand ([`GgufFile::read_tensor_bytes`]), one tensor
//! at a time, so a backend can move each weight to its own memory without the
//! whole file ever being resident.

mod dtype;
mod error;
mod gguf;
mod metadata;
mod source;
mod stream_writer;
mod value;
mod writer;

pub use dtype::{GgmlDType, gguf_type_name};
pub use error::FormatError;
pub use gguf::{GgufFile, GgufVersion, TensorEntry};
pub use metadata::Metadata;
pub use source::{ByteSource, FileSource, MemorySource};
pub use stream_writer::{DEFAULT_ALIGNMENT, GgufWriter, TensorInfo, WriteError};
pub use value::Value;
pub use writer::{F32Tensor, gguf_bytes};
