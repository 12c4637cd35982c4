/**
 * kaoshi: GGUF language models in the browser, on the CPU (wasm SIMD) or on
 * WebGPU, in this thread ({@link InThreadEngine}) or in a Web Worker
 * ({@link WorkerEngine}), with one interface ({@link Engine}).
 *
 * Errors are `Error`s whose `name` is one of {@link KaoshiErrorName}.
 */
export { InThreadEngine, WorkerEngine } from "./engine.js";
export type { Engine, GenerateOptions, LoadOptions, PerplexityOptions, WorkerLoadOptions } from "./engine.js";
export type {
  Backend,
  Endpoint,
  Events,
  ModelSource,
  ProgressMessage,
  RecordMessage,
  TokenMessage,
  WasmSource,
} from "./protocol.js";
export { initWasm } from "./wasm.js";
export { ModelCache, sha256Blob, sha256Hex } from "./cache.js";
export type { CachedModel, CacheUsage, ModelCacheOptions } from "./cache.js";
export { suiteCatalog } from "./suites.js";
/** The wasm-bindgen class underneath (for `logits` and `decode`). */
export { Model, Sha256, wasmMemoryBytes } from "./wasm/kaoshi_wasm.js";
export type {
  ContinuationScore,
  Mode,
  ModelInfo,
  PerplexityReport,
  ResultsRun,
  RunSuiteOptions,
  RunSuiteRequest,
  SampleRecord,
  SuiteCatalog,
  SuiteEntry,
  SuiteFile,
  TaskOutcome,
} from "./wasm/kaoshi_wasm.js";

/** The `name` of the `Error`s kaoshi rejects with. */
export type KaoshiErrorName =
  | "ModelFormatError"
  | "UnsupportedQuantError"
  | "WebGpuUnavailableError"
  | "OutOfMemoryError"
  | "AbortError"
  /** {@link Engine.runSuite}: the suite's files are missing or malformed (the message names the file and line). */
  | "SuiteDataError"
  | "KaoshiError"
  /** {@link ModelCache}: no OPFS (or no `crypto.subtle`), or access refused. */
  | "StorageUnavailableError"
  /** {@link ModelCache.get}: the stored bytes do not hash to their name. */
  | "IntegrityError";
