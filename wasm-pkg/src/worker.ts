/**
 * The worker side of {@link WorkerEngine}: `kaoshi/worker`. Loaded as a
 * module worker it serves its own global scope; elsewhere (a test, a
 * `MessagePort`, a shared setup) call {@link serve} on an endpoint.
 */
import { Model, wasmMemoryBytes } from "./wasm/kaoshi_wasm.js";
import {
  toWireError,
  type Endpoint,
  type Backend,
  type Kind,
  type ProgressMessage,
  type RecordMessage,
  type Reply,
  type Request,
  type Requests,
  type Responses,
  type TokenMessage,
  type WireSource,
} from "./protocol.js";
import { initWasm } from "./wasm.js";

type Handlers = { [K in Kind]: (request: Requests[K] & { id: number }) => Responses[K] | Promise<Responses[K]> };

/** Whether this realm can read Blobs and URLs synchronously, piece by piece (a worker). */
function canReadInPieces(): boolean {
  return typeof (globalThis as { FileReaderSync?: unknown }).FileReaderSync === "function";
}

/**
 * Loads a model from `source`: in a worker, Blobs and URLs piece by piece
 * (`Model.loadBlob`, `Model.loadUrl`: one tensor at a time, never the whole
 * file in wasm memory); a URL whose server refuses range requests, and
 * anything outside a worker, as whole bytes (progress then follows the
 * download).
 */
async function loadModel(
  source: WireSource,
  backend: Backend,
  onProgress: ((loaded: number, total: number) => void) | undefined,
): Promise<Model> {
  if ("bytes" in source) return Model.load(source.bytes, backend);
  if ("blob" in source) {
    if (canReadInPieces()) return Model.loadBlob(source.blob, backend, onProgress);
    const bytes = new Uint8Array(await source.blob.arrayBuffer());
    onProgress?.(bytes.byteLength, bytes.byteLength);
    return Model.load(bytes, backend);
  }
  if (canReadInPieces()) {
    try {
      return await Model.loadUrl(source.url, backend, onProgress);
    } catch (e) {
      // Only a server that cannot serve ranges falls back to one download.
      const message = e instanceof Error ? e.message : String(e);
      if (!/Range|Content-Length/.test(message)) throw e;
    }
  }
  return Model.load(await download(source.url, onProgress), backend);
}

/** The bytes at `url`, with progress as they arrive. */
async function download(url: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    const e = new Error(`${url}: HTTP ${response.status}`);
    e.name = "KaoshiError";
    throw e;
  }
  const total = Number(response.headers.get("Content-Length") ?? 0);
  if (response.body === null || onProgress === undefined) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(loaded, Math.max(total, loaded));
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

function noModel(handle: number): Error {
  const e = new Error(`no model ${handle} in this worker (disposed?)`);
  e.name = "KaoshiError";
  return e;
}

/**
 * Answers the requests that arrive on `endpoint`. Returns a function that
 * stops listening and frees the models.
 */
export function serve(endpoint: Endpoint): () => void {
  const models = new Map<number, Model>();
  let nextHandle = 1;
  const aborts = new Map<number, AbortController>();
  /** Runs `call` with a signal that an `abort` request naming `id` fires. */
  const abortable = async <T>(id: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    aborts.set(id, controller);
    try {
      return await call(controller.signal);
    } finally {
      aborts.delete(id);
    }
  };
  const loaded = (handle: number): Model => {
    const model = models.get(handle);
    if (model === undefined) throw noModel(handle);
    return model;
  };

  const handlers: Handlers = {
    async load({ id, source, backend, wasm, stream }) {
      await initWasm(wasm);
      const onProgress =
        stream === true
          ? (loaded: number, total: number): void =>
              endpoint.postMessage({ id, kind: "progress", loaded, total } satisfies ProgressMessage, [])
          : undefined;
      const model = await loadModel(source, backend, onProgress);
      const handle = nextHandle++;
      models.set(handle, model);
      return { model: handle, info: model.info() };
    },
    memory: () => ({ wasmBytes: wasmMemoryBytes() }),
    info: ({ model }) => loaded(model).info(),
    tokenize: ({ model, text, addSpecial }) => loaded(model).tokenize(text, addSpecial),
    generate({ id, model, prompt, options, stream }) {
      const m = loaded(model);
      // Streaming: each decoded piece goes out as a `token` message, in order, before the reply.
      const onToken = (text: string): void => endpoint.postMessage({ id, kind: "token", text } satisfies TokenMessage, []);
      return abortable(id, (signal) =>
        m.generate(prompt, stream === true ? { ...options, signal, onToken } : { ...options, signal }),
      );
    },
    score: ({ model, context, continuations }) => loaded(model).score(context, continuations),
    runSuite({ id, model, request, stream }) {
      const m = loaded(model);
      // Streaming: each finished item goes out as a `record` message, in order, before the reply.
      const onRecord = (record: RecordMessage["record"], done: number, total: number): void =>
        endpoint.postMessage({ id, kind: "record", record, done, total } satisfies RecordMessage, []);
      return abortable(id, (signal) => m.runSuite(request, stream === true ? { signal, onRecord } : { signal }));
    },
    resultsJson: ({ model, outcomes, run }) => loaded(model).resultsJson(outcomes, run),
    perplexity({ id, model, text, window }) {
      const m = loaded(model);
      return abortable(id, (signal) => m.perplexity(text, window === undefined ? { signal } : { signal, window }));
    },
    abort({ target }) {
      aborts.get(target)?.abort();
      return null;
    },
    dispose({ model }) {
      models.get(model)?.free();
      models.delete(model);
      return null;
    },
  };

  const onMessage = (event: MessageEvent): void => {
    const request = event.data as Request;
    const { id, kind } = request;
    // TypeScript cannot tie `handlers[kind]` to `request` through the union;
    // the mapped Handlers type above is what checks each handler.
    const handler = handlers[kind] as (r: Request) => Responses[Kind] | Promise<Responses[Kind]>;
    Promise.resolve()
      .then(() => handler(request))
      .then(
        (value) => endpoint.postMessage({ id, kind, ok: true, value } as Reply, []),
        (e: unknown) => endpoint.postMessage({ id, kind, ok: false, error: toWireError(e) } satisfies Reply, []),
      );
  };
  endpoint.addEventListener("message", onMessage);
  return () => {
    endpoint.removeEventListener("message", onMessage);
    for (const controller of aborts.values()) controller.abort();
    for (const model of models.values()) model.free();
    models.clear();
  };
}

// In a dedicated worker, serve its global scope.
const scope = globalThis as unknown as { WorkerGlobalScope?: abstract new () => unknown };
if (typeof scope.WorkerGlobalScope === "function" && globalThis instanceof scope.WorkerGlobalScope) {
  serve(globalThis as unknown as Endpoint);
}
