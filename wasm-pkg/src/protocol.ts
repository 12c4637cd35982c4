/**
 * The messages between a {@link WorkerEngine} and the worker (`kaoshi/worker`).
 *
 * Each request kind is tied to its payload ({@link Requests}) and to the
 * value its reply carries ({@link Responses}); {@link Request} and
 * {@link Reply} are the discriminated unions built from the two maps, so
 * that a kind, its payload and its result type can never be mixed up.
 * Failures travel as {@link WireError} and are re-thrown on the client as an
 * `Error` with the same `name` (`ModelFormatError`, `AbortError`, ...).
 */
import type {
  ContinuationScore,
  ModelInfo,
  PerplexityReport,
  ResultsRun,
  RunSuiteRequest,
  SampleRecord,
  TaskOutcome,
} from "./wasm/kaoshi_wasm.js";

/** Which backend to load a model on ("auto": WebGPU when it works, else the CPU). */
export type Backend = "auto" | "cpu" | "gpu";

/** Where the worker gets the wasm module: a URL (string), its bytes, or a compiled module. */
export type WasmSource = string | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/**
 * Where a model's bytes come from: the bytes themselves, a `Blob` or `File`
 * (in a worker read tensor by tensor with `FileReaderSync`, so the file never
 * sits in wasm memory as a whole), or a URL (in a worker read with HTTP range
 * requests when the server allows them, else fetched whole).
 */
export type ModelSource = Uint8Array | ArrayBuffer | Blob | { url: string };

/** A {@link ModelSource} as it crosses to the worker. */
export type WireSource = { bytes: Uint8Array } | { blob: Blob } | { url: string };

/** `generate`'s options as they cross to the worker (an `AbortSignal` cannot: see `abort`). */
export interface WireGenerateOptions {
  maxTokens?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  stopAtEos?: boolean;
}

/**
 * Each request kind and its payload. A worker can hold several models: `load`
 * answers with a handle, which the other requests name as `model`.
 */
export interface Requests {
  /**
   * Initialises the wasm module (once; later `wasm`s are ignored) and loads a
   * model; with `stream`, the worker sends {@link ProgressMessage}s as it reads.
   */
  load: { source: WireSource; backend: Backend; wasm?: WasmSource; stream?: boolean };
  /** The worker's wasm memory (no model needed). */
  memory: Record<string, never>;
  info: { model: number };
  tokenize: { model: number; text: string; addSpecial: boolean };
  /** With `stream`, the worker sends a {@link TokenMessage} per decoded piece before the reply. */
  generate: { model: number; prompt: string; options: WireGenerateOptions; stream?: boolean };
  score: { model: number; context: string; continuations: string[] };
  /** With `stream`, the worker sends a {@link RecordMessage} per finished item before the reply. */
  runSuite: { model: number; request: RunSuiteRequest; stream?: boolean };
  resultsJson: { model: number; outcomes: TaskOutcome[]; run: ResultsRun };
  perplexity: { model: number; text: string; window?: number };
  /** Aborts the request `target` (a `generate`, `runSuite` or `perplexity`), which then fails with an `AbortError`. */
  abort: { target: number };
  /** Frees the model. */
  dispose: { model: number };
}

/** What the reply to each request kind carries. */
export interface Responses {
  load: { model: number; info: ModelInfo };
  memory: { wasmBytes: number };
  info: ModelInfo;
  tokenize: Uint32Array;
  generate: string;
  score: ContinuationScore[];
  runSuite: TaskOutcome;
  resultsJson: Record<string, unknown>;
  perplexity: PerplexityReport;
  abort: null;
  dispose: null;
}

export type Kind = keyof Requests;

/** A request: `{id, kind}` and the payload of that kind. */
export type Request = { [K in Kind]: { id: number; kind: K } & Requests[K] }[Kind];

/**
 * Kinds of message the worker sends on its own, not as a reply, each with
 * its payload: `token` carries a newly decoded piece of a streaming
 * `generate`'s text, `record` a finished item of a streaming `runSuite`
 * (`id` is that request's), `progress` the bytes a streaming `load` has
 * read; all are sent in order before the reply.
 */
export interface Events {
  token: { text: string };
  record: { record: SampleRecord; done: number; total: number };
  progress: { loaded: number; total: number };
}

/** A `token` event: `{id, kind: "token", text}`. */
export type TokenMessage = { id: number; kind: "token" } & Events["token"];

/** A `record` event: `{id, kind: "record", record, done, total}`. */
export type RecordMessage = { id: number; kind: "record" } & Events["record"];

/** A `progress` event of a streaming `load`: bytes of the model read so far. */
export type ProgressMessage = { id: number; kind: "progress" } & Events["progress"];

/** A failure, as it crosses the boundary. */
export interface WireError {
  name: string;
  message: string;
}

/** The reply to request `id`: its kind's value, or an error. */
export type Reply =
  | { [K in Kind]: { id: number; kind: K; ok: true; value: Responses[K] } }[Kind]
  | { id: number; kind: Kind; ok: false; error: WireError };

/** `e` as a {@link WireError} (an `Error`'s name and message; anything else as a `KaoshiError`). */
export function toWireError(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name, message: e.message };
  if (typeof e === "object" && e !== null && "message" in e) {
    const { name, message } = e as { name?: unknown; message: unknown };
    return { name: typeof name === "string" ? name : "KaoshiError", message: String(message) };
  }
  return { name: "KaoshiError", message: String(e) };
}

/** The `Error` a {@link WireError} stands for, with its `name`. */
export function fromWireError(e: WireError): Error {
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}

/**
 * What both ends talk through: a `Worker`, the worker's own global scope, a
 * `MessagePort` (call `start()` on ports), or node's `MessagePort`.
 */
export interface Endpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}
