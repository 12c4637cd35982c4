/**
 * {@link Engine}: one interface for a model in this thread
 * ({@link InThreadEngine}) and in a Web Worker ({@link WorkerEngine}).
 */
import { Model, wasmMemoryBytes } from "./wasm/kaoshi_wasm.js";
import type {
  ContinuationScore,
  ModelInfo,
  PerplexityReport,
  ResultsRun,
  RunSuiteOptions,
  RunSuiteRequest,
  SampleRecord,
  TaskOutcome,
} from "./wasm/kaoshi_wasm.js";
import {
  fromWireError,
  type Backend,
  type Endpoint,
  type Kind,
  type ModelSource,
  type ProgressMessage,
  type RecordMessage,
  type Reply,
  type Requests,
  type Responses,
  type TokenMessage,
  type WasmSource,
  type WireGenerateOptions,
  type WireSource,
} from "./protocol.js";
import { initWasm } from "./wasm.js";

/** Options of {@link Engine.generate} (all optional). */
export interface GenerateOptions extends WireGenerateOptions {
  /** Aborts the generation, which then rejects with an `AbortError`. */
  signal?: AbortSignal;
  /**
   * Receives the generated text in pieces as generation proceeds (each newly
   * decoded piece, usually one per token), in order; their concatenation is
   * the resolved text. If it throws, generation stops and rejects with what
   * it threw.
   */
  onToken?: (text: string) => void;
}

/** Options of {@link Engine.perplexity}. */
export interface PerplexityOptions {
  /** Tokens per window (default 512, at most the model's context); windows overlap by half. */
  window?: number;
  /** Aborts between windows: the call then rejects with an `AbortError`. */
  signal?: AbortSignal;
}

/** Options of `load`. */
export interface LoadOptions {
  /** "auto" (default): WebGPU when an adapter is found and the model loads on it, else the CPU. */
  backend?: Backend;
  /** Where the wasm module comes from (see {@link initWasm}); default: beside the package's JS. */
  wasm?: WasmSource;
  /** Bytes of the model read so far, as loading proceeds (`total` is the file's size). */
  onProgress?: (loaded: number, total: number) => void;
}

/** A loaded model. Every method rejects with an `Error` whose `name` says what failed. */
export interface Engine {
  /** Architecture, sizes, tensor types, the backend in use and why the CPU was chosen, if it was. */
  info(): Promise<ModelInfo>;
  /** Token ids of `text`; `addSpecial` (default true) adds BOS when the tokenizer does. */
  tokenize(text: string, addSpecial?: boolean): Promise<Uint32Array>;
  /** Text generated after `prompt` (an empty prompt starts from BOS). Greedy unless `temperature` > 0. */
  generate(prompt: string, options?: GenerateOptions): Promise<string>;
  /** Log-probabilities (natural log) of each continuation after `context`, tokenized as lm-evaluation-harness does. */
  score(context: string, continuations: string[]): Promise<ContinuationScore[]>;
  /**
   * Runs one benchmark suite of {@link suiteCatalog} on the model, as `kaoshi
   * eval` does; `onRecord` receives each finished item's record (a line of
   * the CLI's `samples_<task>.jsonl`) as it finishes: keep them, and pass
   * them back as `done` to resume an interrupted run. Bad suite data rejects
   * with a `SuiteDataError` naming the file and line; `signal` with an
   * `AbortError`.
   */
  runSuite(request: RunSuiteRequest, options?: RunSuiteOptions): Promise<TaskOutcome>;
  /** The CLI's `results.json` for outcomes of {@link Engine.runSuite} on this model. */
  resultsJson(outcomes: TaskOutcome[], run: ResultsRun): Promise<Record<string, unknown>>;
  /** Rolling perplexity and bits per byte of `text`, as `kaoshi ppl`. */
  perplexity(text: string, options?: PerplexityOptions): Promise<PerplexityReport>;
  /** Bytes of wasm memory in the engine's realm (the thread or the worker); it only grows. */
  memory(): Promise<{ wasmBytes: number }>;
  /** Frees the model (and, for an engine that started its worker, the worker). Further calls reject. */
  dispose(): Promise<void>;
}

function kaoshiError(message: string): Error {
  const e = new Error(message);
  e.name = "KaoshiError";
  return e;
}

function disposedError(): Error {
  const e = new Error("the engine was disposed");
  e.name = "KaoshiError";
  return e;
}

function abortError(): Error {
  const e = new Error("the call was aborted before it started");
  e.name = "AbortError";
  return e;
}

function wireOptions(options: GenerateOptions): WireGenerateOptions {
  const { signal: _signal, onToken: _onToken, ...wire } = options;
  return wire;
}

/** The model in this thread: the wasm `Model`, behind the {@link Engine} interface. */
export class InThreadEngine implements Engine {
  #model: Model | null;

  private constructor(model: Model) {
    this.#model = model;
  }

  /**
   * Initialises the wasm module (once) and loads a GGUF model. In this
   * thread a `Blob` or URL is read whole first (reading piece by piece needs
   * a worker: {@link WorkerEngine}); the bytes are copied into wasm memory.
   */
  static async load(source: ModelSource, options: LoadOptions = {}): Promise<InThreadEngine> {
    await initWasm(options.wasm);
    let view: Uint8Array;
    if (source instanceof Uint8Array) view = source;
    else if (source instanceof ArrayBuffer) view = new Uint8Array(source);
    else if (source instanceof Blob) view = new Uint8Array(await source.arrayBuffer());
    else {
      const response = await fetch(source.url);
      if (!response.ok) throw kaoshiError(`${source.url}: HTTP ${response.status}`);
      view = new Uint8Array(await response.arrayBuffer());
    }
    options.onProgress?.(view.byteLength, view.byteLength);
    return new InThreadEngine(await Model.load(view, options.backend ?? "auto"));
  }

  /** The wasm `Model` (for what the interface lacks, e.g. `logits`). */
  get model(): Model {
    if (this.#model === null) throw disposedError();
    return this.#model;
  }

  async info(): Promise<ModelInfo> {
    return this.model.info();
  }

  async tokenize(text: string, addSpecial = true): Promise<Uint32Array> {
    return this.model.tokenize(text, addSpecial);
  }

  async generate(prompt: string, options: GenerateOptions = {}): Promise<string> {
    const model = this.model;
    const wire: WireGenerateOptions & { signal?: AbortSignal; onToken?: (text: string) => void } = wireOptions(options);
    if (options.signal !== undefined) wire.signal = options.signal;
    if (options.onToken !== undefined) wire.onToken = options.onToken;
    return model.generate(prompt, wire);
  }

  async score(context: string, continuations: string[]): Promise<ContinuationScore[]> {
    return this.model.score(context, continuations);
  }

  async runSuite(request: RunSuiteRequest, options: RunSuiteOptions = {}): Promise<TaskOutcome> {
    return this.model.runSuite(request, options);
  }

  async resultsJson(outcomes: TaskOutcome[], run: ResultsRun): Promise<Record<string, unknown>> {
    return this.model.resultsJson(outcomes, run);
  }

  async perplexity(text: string, options: PerplexityOptions = {}): Promise<PerplexityReport> {
    return this.model.perplexity(text, options);
  }

  async memory(): Promise<{ wasmBytes: number }> {
    return { wasmBytes: wasmMemoryBytes() };
  }

  async dispose(): Promise<void> {
    this.#model?.free();
    this.#model = null;
  }
}

/** Options of {@link WorkerEngine.load}. */
export interface WorkerLoadOptions extends LoadOptions {
  /**
   * Transfer the model's buffer to the worker instead of copying it (the
   * caller's bytes are then detached: they read as empty). Default false.
   */
  transfer?: boolean;
}

// Request ids are unique in this realm, so that engines sharing an endpoint
// never take each other's replies.
let nextRequestId = 1;

interface Pending {
  resolve: (value: never) => void;
  reject: (error: Error) => void;
  /** For a `generate`: receives its `token` messages. */
  onToken?: (text: string) => void;
  /** For a `runSuite`: receives its `record` messages. */
  onRecord?: (record: SampleRecord, done: number, total: number) => void;
  /** For a `load`: receives its `progress` messages. */
  onProgress?: (loaded: number, total: number) => void;
}

/**
 * The model in a Web Worker running `kaoshi/worker`, behind the same
 * {@link Engine} interface: calls become messages ({@link Request}), replies
 * resolve them, errors keep their `name`.
 */
export class WorkerEngine implements Engine {
  readonly #endpoint: Endpoint;
  readonly #owned: Worker | null;
  readonly #pending = new Map<number, Pending>();
  #model = 0;
  #disposed = false;
  readonly #onMessage = (event: MessageEvent): void => {
    const reply = event.data as Reply | TokenMessage | RecordMessage | ProgressMessage;
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    if (reply.kind === "progress") {
      // A progress callback that throws does not stop the load.
      try {
        pending.onProgress?.(reply.loaded, reply.total);
      } catch {
        /* ignored */
      }
      return;
    }
    if (reply.kind === "token" || reply.kind === "record") {
      try {
        if (reply.kind === "token") pending.onToken?.(reply.text);
        else pending.onRecord?.(reply.record, reply.done, reply.total);
      } catch (e) {
        // As in the thread: a throwing callback ends the call with its error.
        this.#pending.delete(reply.id);
        pending.reject(e instanceof Error ? e : new Error(String(e)));
        this.#call("abort", { target: reply.id }).catch(() => undefined);
      }
      return;
    }
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value as never);
    else pending.reject(fromWireError(reply.error));
  };

  private constructor(endpoint: Endpoint, owned: Worker | null) {
    this.#endpoint = endpoint;
    this.#owned = owned;
    endpoint.addEventListener("message", this.#onMessage);
    // A worker that fails to start (a wrong URL, a syntax error) or throws
    // outside a request would otherwise leave every call pending.
    owned?.addEventListener("error", (event: ErrorEvent) => {
      const error = new Error(`the kaoshi worker failed: ${event.message || "(no message; is worker.js served?)"}`);
      error.name = "KaoshiError";
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
  }

  /**
   * Loads a model in the worker (or port) `endpoint` runs `kaoshi/worker`
   * on; several engines may share one worker. The caller keeps the
   * endpoint: `dispose()` frees the model, not the worker.
   */
  static async load(endpoint: Endpoint, source: ModelSource, options: WorkerLoadOptions = {}): Promise<WorkerEngine> {
    const engine = new WorkerEngine(endpoint, null);
    await engine.#loadModel(source, options);
    return engine;
  }

  /**
   * Starts a module worker on the package's `worker.js` and loads a model in
   * it; `dispose()` terminates that worker.
   */
  static async spawn(source: ModelSource, options: WorkerLoadOptions = {}): Promise<WorkerEngine> {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "kaoshi" });
    const engine = new WorkerEngine(worker, worker);
    try {
      await engine.#loadModel(source, options);
    } catch (e) {
      worker.terminate();
      throw e;
    }
    return engine;
  }

  async #loadModel(source: ModelSource, options: WorkerLoadOptions): Promise<void> {
    let wire: WireSource;
    let transfer: Transferable[] = [];
    if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
      const view = source instanceof Uint8Array ? source : new Uint8Array(source);
      wire = { bytes: view };
      if (options.transfer === true) transfer = [view.buffer as ArrayBuffer];
    } else if (source instanceof Blob) {
      wire = { blob: source };
    } else {
      // Relative URLs are resolved against this page, not the worker's script.
      wire = { url: new URL(source.url, globalThis.location?.href).href };
    }
    const payload: Requests["load"] = { source: wire, backend: options.backend ?? "auto" };
    if (options.wasm !== undefined) payload.wasm = options.wasm;
    const listeners: Pick<Pending, "onProgress"> = {};
    if (options.onProgress !== undefined) {
      payload.stream = true;
      listeners.onProgress = options.onProgress;
    }
    const { model } = await this.#call("load", payload, transfer, nextRequestId++, listeners);
    this.#model = model;
  }

  /** Sends request `kind` and resolves with its reply's value (the id is the first one free). */
  #call<K extends Kind>(
    kind: K,
    payload: Requests[K],
    transfer: Transferable[] = [],
    id = nextRequestId++,
    listeners: Pick<Pending, "onToken" | "onRecord" | "onProgress"> = {},
  ): Promise<Responses[K]> {
    if (this.#disposed) return Promise.reject(disposedError());
    return new Promise<Responses[K]>((resolve, reject) => {
      const pending: Pending = { resolve: resolve as (value: never) => void, reject, ...listeners };
      this.#pending.set(id, pending);
      try {
        this.#endpoint.postMessage({ ...payload, id, kind }, transfer);
      } catch (e) {
        this.#pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  info(): Promise<ModelInfo> {
    return this.#call("info", { model: this.#model });
  }

  tokenize(text: string, addSpecial = true): Promise<Uint32Array> {
    return this.#call("tokenize", { model: this.#model, text, addSpecial });
  }

  /** Sends request `kind`, which `signal` aborts (an `abort` request naming it). */
  async #abortable<K extends Kind>(
    kind: K,
    payload: Requests[K],
    signal: AbortSignal | undefined,
    listeners: Pick<Pending, "onToken" | "onRecord"> = {},
  ): Promise<Responses[K]> {
    if (signal?.aborted) throw abortError();
    const id = nextRequestId++;
    const onAbort = (): void => {
      this.#call("abort", { target: id }).catch(() => undefined);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.#call(kind, payload, [], id, listeners);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  generate(prompt: string, options: GenerateOptions = {}): Promise<string> {
    const stream = options.onToken !== undefined;
    const payload: Requests["generate"] = { model: this.#model, prompt, options: wireOptions(options), stream };
    const listeners = options.onToken === undefined ? {} : { onToken: options.onToken };
    return this.#abortable("generate", payload, options.signal, listeners);
  }

  score(context: string, continuations: string[]): Promise<ContinuationScore[]> {
    return this.#call("score", { model: this.#model, context, continuations });
  }

  runSuite(request: RunSuiteRequest, options: RunSuiteOptions = {}): Promise<TaskOutcome> {
    const stream = options.onRecord !== undefined;
    const listeners = options.onRecord === undefined ? {} : { onRecord: options.onRecord };
    return this.#abortable("runSuite", { model: this.#model, request, stream }, options.signal, listeners);
  }

  resultsJson(outcomes: TaskOutcome[], run: ResultsRun): Promise<Record<string, unknown>> {
    return this.#call("resultsJson", { model: this.#model, outcomes, run });
  }

  memory(): Promise<{ wasmBytes: number }> {
    return this.#call("memory", {});
  }

  perplexity(text: string, options: PerplexityOptions = {}): Promise<PerplexityReport> {
    const payload: Requests["perplexity"] = { model: this.#model, text };
    if (options.window !== undefined) payload.window = options.window;
    return this.#abortable("perplexity", payload, options.signal);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    try {
      await this.#call("dispose", { model: this.#model });
    } finally {
      this.#disposed = true;
      this.#endpoint.removeEventListener("message", this.#onMessage);
      for (const pending of this.#pending.values()) pending.reject(disposedError());
      this.#pending.clear();
      this.#owned?.terminate();
    }
  }
}
