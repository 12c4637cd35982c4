/**
 * The Model section: a GGUF from a local file, this browser's cache or a URL
 * is loaded into a Web Worker (`WorkerEngine.spawn`) without a whole copy of
 * it in the page or in wasm memory, then described (`info()`, and the
 * worker's wasm memory from `engine.memory()`); cached models are listed
 * with "use" and "remove" buttons.
 *
 * - A picked file: `spawn(file)` (the worker reads it tensor by tensor with
 *   FileReaderSync), then `ModelCache.put(file)` (hashed in slices, written
 *   as a Blob).
 * - A cached model: `ModelCache.getFile(sha256)` (re-hashed in slices), then
 *   `spawn(file)`.
 * - A URL with "keep a copy" on (the default): downloaded into a Blob with
 *   progress, stored with `put`, then `getFile` and `spawn(file)`; with it
 *   off: `spawn({url})`, which reads the URL with HTTP range requests (or
 *   downloads it once when the server refuses ranges) and stores nothing.
 *
 * Progress (bytes / total, percent) follows the download and the worker's
 * `onProgress` as it reads the model.
 */
import { ModelCache, WorkerEngine, sha256Blob, type Backend, type CachedModel, type Engine, type ModelInfo, type ModelSource } from "kaoshi";
import { byId, errorText, fmtBytes, h } from "./dom";
import { fetchBlob } from "./fetch";
import { t, tr } from "./i18n";
import { emit, on, state, type LoadStats } from "./state";

const cache = new ModelCache();

type Entry = Pick<CachedModel, "name" | "size" | "sha256">;

function message(key: string, vars?: Record<string, unknown>, kind: "info" | "error" = "info"): void {
  const el = byId("model-message");
  el.className = `message ${kind}`;
  tr(el, key, vars);
}

function backend(): Backend {
  return byId<HTMLSelectElement>("backend").value as Backend;
}

/** Whether a URL's model is downloaded into this browser's cache (the checkbox). */
function keepCopy(): boolean {
  return byId<HTMLInputElement>("model-keep").checked;
}

// ---- progress ---------------------------------------------------------------

let lastShown = "";

/** Shows `loaded` of `total` bytes for `phase` ("download" or "read"), at most once per percent (or MiB). */
function progress(phase: "download" | "read", loaded: number, total: number | null): void {
  const bar = byId<HTMLProgressElement>("model-progress");
  bar.hidden = false;
  const pct = total ? Math.min(100, Math.floor((loaded / total) * 100)) : null;
  const key = `${phase}:${pct ?? Math.floor(loaded / 2 ** 20)}`;
  if (key === lastShown) return;
  lastShown = key;
  if (total) bar.value = Math.min(1, loaded / total);
  else bar.removeAttribute("value");
  const vars = { loaded: fmtBytes(loaded), total: fmtBytes(total), pct: pct ?? "?" };
  tr(byId("model-progress-text"), total ? `model.progress.${phase}` : `model.progress.${phase}NoTotal`, vars);
}

function progressStart(): void {
  lastShown = "";
  const bar = byId<HTMLProgressElement>("model-progress");
  bar.hidden = false;
  bar.removeAttribute("value");
  const text = byId("model-progress-text");
  text.textContent = "";
  delete text.dataset.i18n;
}

/** Hides the bar; keeps the last "… (100%)" line after a success, clears it after a failure. */
function progressEnd(ok: boolean): void {
  byId<HTMLProgressElement>("model-progress").hidden = true;
  if (!ok) {
    const text = byId("model-progress-text");
    text.textContent = "";
    delete text.dataset.i18n;
  }
}

/** Disables the file picker and the Fetch button while a model loads. */
function busy(on: boolean): void {
  byId<HTMLInputElement>("model-file").disabled = on;
  byId<HTMLButtonElement>("model-fetch").disabled = on;
}

// ---- cache list ---------------------------------------------------------------

async function refreshCache(): Promise<void> {
  try {
    state.cache = await cache.list();
  } catch (e) {
    state.cache = [];
    message("model.cacheUnavailable", { error: errorText(e) }, "error");
  }
  renderCache();
}

// ---- loading ------------------------------------------------------------------

interface LoadPlan {
  /** What the worker reads: a File/Blob (tensor by tensor) or `{url}` (range requests). */
  source: ModelSource;
  name: string;
  via: LoadStats["via"];
  /** `performance.now()` when the load began (a download included). */
  started: number;
  /** The model's entry, or how to get it once the engine is up (e.g. caching the file). */
  entry: Entry | ((info: ModelInfo) => Promise<Entry>);
  /** Called when the engine fails to load (e.g. to drop a copy just stored). */
  onFail?: () => Promise<void>;
}

function startLoading(name: string): void {
  state.modelState = "loading";
  state.modelError = null;
  busy(true);
  emit("model");
  message("model.loading", { name });
}

/**
 * Shows a failure. `clear`: the old engine is gone (it was disposed for the
 * new one), so the model's info goes too; a failure before that (a download,
 * the cache) leaves the model in use as it was.
 */
function failed(key: string, e: unknown, clear = true): void {
  state.modelState = "error";
  state.modelError = errorText(e);
  if (clear) {
    state.info = null;
    state.model = null;
    state.load = null;
  }
  busy(false);
  progressEnd(false);
  message(key, { error: errorText(e) }, "error");
}

/** Loads `plan.source` into a new worker engine (the old one is disposed first). */
async function loadModel(plan: LoadPlan): Promise<void> {
  if (state.modelState !== "loading") startLoading(plan.name);
  else message("model.loading", { name: plan.name });
  let engine: Engine | null = null;
  try {
    const old = state.engine;
    state.engine = null;
    await old?.dispose().catch(() => undefined);
    try {
      engine = await WorkerEngine.spawn(plan.source, { backend: backend(), onProgress: (loaded, total) => progress("read", loaded, total) });
    } catch (e) {
      await plan.onFail?.().catch(() => undefined);
      throw e;
    }
    const info = await engine.info();
    const wasmBytes = await engine
      .memory()
      .then((m) => m.wasmBytes)
      .catch(() => null);
    const ms = performance.now() - plan.started;
    let entry: Entry;
    if (typeof plan.entry === "function") {
      message("model.storing", { name: plan.name });
      entry = await plan.entry(info);
    } else entry = plan.entry;
    state.engine = engine;
    state.info = info;
    state.model = { name: entry.name, size: entry.size, sha256: entry.sha256 };
    state.load = { via: plan.via, ms, wasmBytes };
    state.modelState = "ready";
    busy(false);
    progressEnd(true);
    message("model.loaded", { name: plan.name, backend: info.backend });
  } catch (e) {
    if (engine !== null && state.engine !== engine) await engine.dispose().catch(() => undefined);
    failed("model.loadFailed", e);
  }
  renderInfo();
  emit("model");
  await refreshCache();
}

/** The entry of a Blob that could not be cached (no OPFS): hashed in slices all the same. */
async function uncachedEntry(blob: Blob, name: string, e: unknown): Promise<Entry> {
  console.warn("model not cached:", e);
  return { name, size: blob.size, sha256: await sha256Blob(blob) };
}

/** Loads the cached model `sha256` (for "use" and for resuming a run). */
export async function useCached(sha256: string): Promise<boolean> {
  const started = performance.now();
  const entry = state.cache.find((m) => m.sha256 === sha256) ?? (await cache.list().catch(() => [])).find((m) => m.sha256 === sha256);
  if (entry === undefined) {
    message("model.notCached", { sha: sha256.slice(0, 12) }, "error");
    return false;
  }
  startLoading(entry.name);
  progressStart();
  message("model.checking", { name: entry.name });
  let file: File | null;
  try {
    file = await cache.getFile(sha256);
  } catch (e) {
    failed("model.loadFailed", e, false);
    emit("model");
    await refreshCache();
    return false;
  }
  if (file === null) {
    failed("model.loadFailed", new Error(t("model.notCached", { sha: sha256.slice(0, 12) })), false);
    message("model.notCached", { sha: sha256.slice(0, 12) }, "error");
    emit("model");
    await refreshCache();
    return false;
  }
  await loadModel({ source: file, name: entry.name, via: "cache", started, entry: { name: entry.name, size: entry.size, sha256 } });
  return state.modelState === "ready";
}

/** A picked file: the worker reads it in pieces; afterwards it is stored (hashed in slices). */
async function fromFile(file: File): Promise<void> {
  const started = performance.now();
  startLoading(file.name);
  progressStart();
  await loadModel({
    source: file,
    name: file.name,
    via: "file",
    started,
    entry: async () => {
      try {
        return await cache.put(file, file.name);
      } catch (e) {
        return uncachedEntry(file, file.name, e);
      }
    },
  });
}

function nameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url, location.href).pathname.split("/").pop() || "model.gguf");
  } catch {
    return "model.gguf";
  }
}

/** A URL: downloaded into the cache (keep a copy), or read in place with range requests. */
async function fromUrl(url: string): Promise<void> {
  const started = performance.now();
  const name = nameOf(url);
  startLoading(name);
  progressStart();
  if (!keepCopy()) {
    message("model.readingUrl", { url });
    // No sha256 without reading every byte: left empty for a model that is not kept.
    await loadModel({ source: { url }, name, via: "url", started, entry: async (info) => ({ name, size: info.fileBytes, sha256: "" }) });
    return;
  }
  message("model.fetching", { url });
  let blob: Blob;
  try {
    blob = await fetchBlob(url, (got, total) => progress("download", got, total));
  } catch (e) {
    failed("model.fetchFailed", e, false);
    emit("model");
    return;
  }
  message("model.storing", { name });
  const known = new Set(state.cache.map((m) => m.sha256));
  let source: Blob = blob;
  let entry: Entry | ((info: ModelInfo) => Promise<Entry>);
  let onFail: (() => Promise<void>) | undefined;
  try {
    const stored = await cache.put(blob, name);
    // Drop a copy of something that turns out not to load (unless it was there before).
    if (!known.has(stored.sha256)) onFail = async () => void (await cache.remove(stored.sha256));
    message("model.checking", { name });
    const file = await cache.getFile(stored.sha256);
    if (file !== null) source = file;
    entry = stored;
  } catch (e) {
    // No OPFS: load the downloaded Blob itself.
    entry = () => uncachedEntry(blob, name, e);
  }
  await loadModel({ source, name, via: "download", started, entry, ...(onFail ? { onFail } : {}) });
}

// ---- rendering ------------------------------------------------------------------

function renderCache(): void {
  const list = byId("cache-list");
  list.replaceChildren();
  if (state.cache.length === 0) list.append(h("li", { class: "muted", i18n: "model.cacheEmpty" }));
  for (const m of state.cache) {
    const inUse = state.model?.sha256 === m.sha256;
    list.append(
      h(
        "li",
        { "data-sha256": m.sha256 },
        h("span", { class: "cache-entry" }, h("strong", {}, m.name), ` · ${fmtBytes(m.size)} · `, h("code", { title: m.sha256 }, m.sha256.slice(0, 16) + "…")),
        h("button", { type: "button", class: "use", disabled: inUse || state.modelState === "loading", i18n: inUse ? "model.inUse" : "model.use", onclick: () => void useCached(m.sha256) }),
        h("button", {
          type: "button",
          class: "remove secondary",
          i18n: "model.remove",
          onclick: async () => {
            await cache.remove(m.sha256).catch((e: unknown) => message("model.loadFailed", { error: errorText(e) }, "error"));
            await refreshCache();
          },
        }),
      ),
    );
  }
}

function row(key: string, value: unknown, attrs: Record<string, string> = {}): HTMLElement[] {
  return [h("dt", { i18n: key }), h("dd", attrs, value === null || value === undefined || value === "" ? "–" : String(value))];
}

function renderInfo(): void {
  const box = byId("model-info");
  box.replaceChildren();
  const info: ModelInfo | null = state.info;
  if (info === null || state.model === null) return;
  const types = Object.entries(info.tensorTypes)
    .map(([k, v]) => `${k}: ${v.tensors} (${fmtBytes(v.bytes)})`)
    .join(", ");
  const load = state.load;
  box.append(
    h(
      "dl",
      { class: "info" },
      ...row("info.name", info.name ?? state.model.name),
      ...(state.model.sha256 ? row("info.sha256", state.model.sha256) : [h("dt", { i18n: "info.sha256" }), h("dd", { class: "muted", i18n: "info.sha256NotKept" })]),
      ...row("info.architecture", info.architecture),
      ...row("info.parameters", `${info.parameters.toLocaleString()} (${(info.parameters / 1e6).toFixed(2)} M)`),
      ...row("info.layers", info.layers),
      ...row("info.dims", `dim ${info.dim}, heads ${info.heads}/${info.kvHeads}, ffn ${info.ffnDim}, vocab ${info.vocab}`),
      ...row("info.tensorTypes", types),
      ...row("info.tokenizer", info.tokenizer),
      ...row("info.contextLength", info.contextLength),
      ...row("info.fileBytes", fmtBytes(info.fileBytes)),
      ...row("info.backend", info.backend),
      ...row("info.adapter", [info.adapter, info.adapterApi].filter(Boolean).join(" / ")),
      ...row("info.fallbackReason", info.fallbackReason),
      ...(load
        ? [
            h("dt", { i18n: "info.loadedVia" }),
            h("dd", { id: "model-loaded-via", "data-via": load.via, i18n: `info.via.${load.via}` }),
            ...row("info.loadTime", `${(load.ms / 1000).toFixed(2)} s`, { id: "model-load-time" }),
            h("dt", { i18n: "info.wasmMemory" }),
            h(
              "dd",
              { id: "model-wasm-memory", "data-bytes": String(load.wasmBytes ?? "") },
              load.wasmBytes === null ? "–" : `${fmtBytes(load.wasmBytes)} (${load.wasmBytes.toLocaleString("en")} B)`,
            ),
          ]
        : []),
    ),
  );
}

/** Measures the engine's wasm memory again (after a run, it may have grown). */
async function refreshMemory(): Promise<void> {
  const engine = state.engine;
  if (engine === null || state.load === null) return;
  const m = await engine.memory().catch(() => null);
  if (m === null || engine !== state.engine || state.load === null) return;
  if (m.wasmBytes !== state.load.wasmBytes) {
    state.load.wasmBytes = m.wasmBytes;
    renderInfo();
  }
}

export function mountModel(): void {
  const file = byId<HTMLInputElement>("model-file");
  file.addEventListener("change", () => {
    const f = file.files?.[0];
    if (f) void fromFile(f);
    file.value = "";
  });
  byId("model-url-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (state.modelState === "loading") return;
    const url = byId<HTMLInputElement>("model-url").value.trim();
    if (url === "") message("model.urlEmpty", undefined, "error");
    else void fromUrl(url);
  });
  on("run", () => {
    if (["done", "error", "paused", "cancelled"].includes(state.runState)) void refreshMemory();
  });
  void refreshCache();
  if (!ModelCache.isAvailable()) message("model.cacheUnavailable", { error: t("model.noOpfs") }, "error");
}
