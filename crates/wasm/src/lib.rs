//! kaoshi-wasm: kaoshi in the browser. A wasm-bindgen API over the same
//! crates the CLI uses: GGUF bytes read from memory
//! (`kaoshi_formats::GgufFile::from_source`), the CPU backend (candle, wasm
//! SIMD) or the GPU backend on WebGPU, the engine's sampling and scoring.
//!
//! JS sees one class, `Model` ([`Model`]):
//!
//! ```js
//! const model = await Model.load(new Uint8Array(await (await fetch(url)).arrayBuffer()), "auto");
//! model.info();                       // {architecture, layers, dim, vocab, tensorTypes, backend, adapter, ...}
//! model.tokenize("Once upon a time"); // Uint32Array
//! await model.generate("Once", {maxTokens: 64, temperature: 0, seed: 1});
//! await model.score("The cat sat on the", [" mat", " dog"]); // [{logprob, isGreedy, nTokens, tokenLogprobs}]
//! ```
//!
//! Errors are JS `Error`s whose `name` is one of `ModelFormatError`,
//! `UnsupportedQuantError`, `WebGpuUnavailableError`, `OutOfMemoryError`,
//! `AbortError` or `KaoshiError` ([`ErrorKind`]).
//!
//! The model is a `kaoshi_runtime::AnyModel`: the backend choice and the
//! `auto` fallback are the CLI's. WebGPU can only read buffers back
//! asynchronously, while the `kaoshi_model::Backend` trait is synchronous:
//! generation and scoring here run `kaoshi_model::Model::run`, which leaves
//! logits and captures on the device, and await their read-back (`run`),
//! for both backends, and check on the CPU backend that this gives the
//! engine's results exactly (`tests/native.rs`). [`Session`] is the Rust
//! side of the class, also usable natively.
//!
//! Browser tests: `scripts/test-browser.sh` (wasm-bindgen-test in headless
//! Chromium, in the page and in a dedicated worker, WebGPU on SwiftShader).

mod error;
mod js;
mod pace;
mod run;
mod session;
mod source;
mod suite;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod ts_check;

pub use error::{Error, ErrorKind};
pub use js::Model;
pub use kaoshi_runtime::BackendChoice;
pub use session::{ModelInfo, Session, TypeSummary};
pub use suite::{ResultsRun, SuiteCatalog, SuiteEntry, SuiteRequest, catalog, memory_files};
