/**
 * The Model section: a GGUF from a local file or a URL (with progress) is
 * loaded into a Web Worker (`WorkerEngine.spawn`), stored in the ModelCache
 * (OPFS, by sha256) and described (`info()`); cached models are listed with
 * "use" and "remove" buttons.
 */
import { ModelCache, WorkerEngine, sha256Hex, type Backend, type CachedModel, type ModelInfo } from "kaoshi";
import { byId, errorText, fmtBytes, h } from "./dom";
import { fetchBytes } from "./fetch";
import { t, tr } from "./i18n";
import { emit, state } from "./state";

const cache = new ModelCache();

function message(key: string, vars?: Record<string, unknown>, kind: "info" | "error" = "info"): void {
  const el = byId("model-message");
  el.className = `message ${kind}`;
  tr(el, key, vars);
}

function backend(): Backend {
  return byId<HTMLSelectElement>("backend").value as Backend;
}

async function refreshCache(): Promise<void> {
  try {
    state.cache = await cache.list();
  } catch (e) {
    state.cache = [];
    message("model.cacheUnavailable", { error: errorText(e) }, "error");
  }
  renderCache();
}

/** Loads `bytes` into a new worker engine (the old one is disposed), then caches them. */
export async function loadModel(bytes: Uint8Array, name: string, known?: CachedModel): Promise<void> {
  state.modelState = "loading";
  state.modelError = null;
  emit("model");
  message("model.loading", { name });
  try {
    const old = state.engine;
    state.engine = null;
    await old?.dispose().catch(() => undefined);
    const engine = await WorkerEngine.spawn(bytes, { backend: backend() });
    const info = await engine.info();
    let entry: Pick<CachedModel, "name" | "size" | "sha256"> | undefined = known;
    if (entry === undefined) {
      try {
        entry = await cache.put(bytes, name);
      } catch (e) {
        // No OPFS: still usable, only not cached.
        entry = { name, size: bytes.byteLength, sha256: await sha256Hex(bytes) };
        console.warn("model not cached:", e);
      }
    }
    state.engine = engine;
    state.info = info;
    state.model = { name: entry.name, size: entry.size, sha256: entry.sha256 };
    state.modelState = "ready";
    message("model.loaded", { name, backend: info.backend });
  } catch (e) {
    state.modelState = "error";
    state.modelError = errorText(e);
    state.info = null;
    state.model = null;
    message("model.loadFailed", { error: errorText(e) }, "error");
  }
  renderInfo();
  emit("model");
  await refreshCache();
}

/** Loads the cached model `sha256` (for "use" and for resuming a run). */
export async function useCached(sha256: string): Promise<boolean> {
  const entry = state.cache.find((m) => m.sha256 === sha256) ?? (await cache.list()).find((m) => m.sha256 === sha256);
  let bytes: Uint8Array | null = null;
  try {
    bytes = await cache.get(sha256);
  } catch (e) {
    message("model.loadFailed", { error: errorText(e) }, "error");
    return false;
  }
  if (bytes === null || entry === undefined) {
    message("model.notCached", { sha: sha256.slice(0, 12) }, "error");
    return false;
  }
  await loadModel(bytes, entry.name, entry);
  return state.modelState === "ready";
}

async function fromFile(file: File): Promise<void> {
  await loadModel(new Uint8Array(await file.arrayBuffer()), file.name);
}

async function fromUrl(url: string): Promise<void> {
  const bar = byId<HTMLProgressElement>("model-progress");
  bar.hidden = false;
  bar.removeAttribute("value");
  message("model.fetching", { url });
  let bytes: Uint8Array;
  try {
    bytes = await fetchBytes(url, (got, total) => {
      if (total) bar.value = got / total;
      byId("model-progress-text").textContent = total ? `${fmtBytes(got)} / ${fmtBytes(total)}` : fmtBytes(got);
    });
  } catch (e) {
    state.modelState = "error";
    state.modelError = errorText(e);
    message("model.fetchFailed", { error: (e as Error).message ?? String(e) }, "error");
    emit("model");
    return;
  } finally {
    bar.hidden = true;
  }
  const name = decodeURIComponent(new URL(url, location.href).pathname.split("/").pop() || "model.gguf");
  await loadModel(bytes, name);
}

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

function row(key: string, value: unknown): HTMLElement[] {
  return [h("dt", { i18n: key }), h("dd", {}, value === null || value === undefined || value === "" ? "–" : String(value))];
}

function renderInfo(): void {
  const box = byId("model-info");
  box.replaceChildren();
  const info: ModelInfo | null = state.info;
  if (info === null || state.model === null) return;
  const types = Object.entries(info.tensorTypes)
    .map(([k, v]) => `${k}: ${v.tensors} (${fmtBytes(v.bytes)})`)
    .join(", ");
  box.append(
    h(
      "dl",
      { class: "info" },
      ...row("info.name", info.name ?? state.model.name),
      ...row("info.sha256", state.model.sha256),
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
    ),
  );
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
    const url = byId<HTMLInputElement>("model-url").value.trim();
    if (url === "") message("model.urlEmpty", undefined, "error");
    else void fromUrl(url);
  });
  void refreshCache();
  if (!ModelCache.isAvailable()) message("model.cacheUnavailable", { error: t("model.noOpfs") }, "error");
}
