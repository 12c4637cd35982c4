// The example page: loads a GGUF model into a Web Worker (WorkerEngine.spawn
// from wasm-pkg/dist) and streams greedy text into #output. Models fetched
// from a URL are put in a ModelCache (OPFS); "Use" on a cached model sets the
// model field to `cache:SHA256`, which loads it with `cache.get` (integrity
// checked). The test reads `window.kaoshiApp` (state, timings, source,
// cache) and the DOM.
import { ModelCache, WorkerEngine } from "../../wasm-pkg/dist/index.js";

const $ = (id) => document.getElementById(id);
const output = $("output");
const status = $("status");
const button = $("generate");

/** What the page did last, for people (the status line) and the test. */
const app = (window.kaoshiApp = {
  state: "starting",
  error: null,
  info: null,
  timings: null,
  text: "",
  /** Where the loaded model came from: "network" or "cache". */
  source: null,
  /** The cache's entries as last listed, or null before the first listing. */
  cache: null,
  /** The last cache failure (the page keeps working without the cache). */
  cacheError: null,
});

const cache = new ModelCache();
const CACHE_PREFIX = "cache:";

function formatSize(n) {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

async function refreshCache() {
  const list = $("cache-list");
  try {
    const entries = await cache.list();
    list.replaceChildren(
      ...entries.map((m) => {
        const li = document.createElement("li");
        li.dataset.sha256 = m.sha256;
        const label = document.createElement("span");
        label.className = "cache-entry";
        label.append(`${m.name}, ${formatSize(m.size)}, sha256 `);
        const code = document.createElement("code");
        code.textContent = m.sha256.slice(0, 12);
        code.title = m.sha256;
        label.append(code, " ");
        const use = document.createElement("button");
        use.type = "button";
        use.className = "cache-use";
        use.textContent = "Use";
        use.addEventListener("click", () => ($("model-url").value = `${CACHE_PREFIX}${m.sha256}`));
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "cache-remove";
        remove.textContent = "Remove";
        remove.addEventListener("click", async () => {
          try {
            await cache.remove(m.sha256);
          } catch (e) {
            app.cacheError = `${e?.name ?? "Error"}: ${e?.message ?? e}`;
          }
          await refreshCache();
        });
        li.append(label, use, " ", remove);
        return li;
      }),
    );
    $("cache-empty").hidden = entries.length > 0;
    app.cache = entries;
    const u = await cache.usage().catch(() => null);
    $("cache-usage").textContent =
      u?.usage == null ? "" : `This origin uses ${formatSize(u.usage)} of ${formatSize(u.quota ?? 0)}.`;
  } catch (e) {
    app.cacheError = `${e?.name ?? "Error"}: ${e?.message ?? e}`;
    app.cache = [];
    $("cache-empty").hidden = false;
    $("cache-empty").textContent = `cache unavailable (${app.cacheError})`;
  }
}

/** The model's bytes, from the cache (`cache:SHA256`) or fetched (then cached). */
async function modelBytes(url) {
  if (url.startsWith(CACHE_PREFIX)) {
    const sha256 = url.slice(CACHE_PREFIX.length);
    setStatus("loading", `reading ${sha256.slice(0, 12)} from the cache ...`);
    const bytes = await cache.get(sha256);
    if (bytes === null) throw new Error(`${sha256} is not in the cache`);
    app.source = "cache";
    return bytes;
  }
  setStatus("loading", `fetching ${url} ...`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  app.source = "network";
  setStatus("loading", `caching ${bytes.length} bytes ...`);
  try {
    const name = decodeURIComponent(new URL(url, location.href).pathname.split("/").pop() || url);
    await cache.put(bytes, name);
  } catch (e) {
    app.cacheError = `${e?.name ?? "Error"}: ${e?.message ?? e}`;
  }
  await refreshCache();
  return bytes;
}

let engine = null;
let engineKey = "";

function setStatus(state, message) {
  app.state = state;
  status.dataset.state = state;
  status.textContent = message;
}

async function engineFor(url, backend) {
  const key = `${backend} ${url}`;
  if (engine !== null && engineKey === key) return engine;
  if (engine !== null) await engine.dispose();
  engine = null;
  const bytes = await modelBytes(url);
  setStatus("loading", `loading ${bytes.length} bytes in a worker ...`);
  engine = await WorkerEngine.spawn(bytes, { backend, transfer: true });
  engineKey = key;
  app.info = await engine.info();
  return engine;
}

$("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  button.disabled = true;
  output.textContent = "";
  app.text = "";
  app.error = null;
  const t0 = performance.now();
  let firstToken = null;
  try {
    const e = await engineFor($("model-url").value, $("backend").value);
    const loaded = performance.now();
    setStatus("generating", `generating on ${app.info.backend} ...`);
    const maxTokens = Number($("max-tokens").value) || 64;
    const text = await e.generate($("prompt").value, {
      maxTokens,
      temperature: 0,
      onToken: (piece) => {
        firstToken ??= performance.now();
        output.append(piece);
      },
    });
    const done = performance.now();
    app.text = text;
    app.timings = {
      loadMs: loaded - t0,
      loadToFirstTokenMs: firstToken === null ? null : firstToken - t0,
      generateMs: done - loaded,
      totalMs: done - t0,
    };
    setStatus(
      "done",
      `${app.info.architecture} on ${app.info.backend}: first token ${Math.round(app.timings.loadToFirstTokenMs ?? NaN)} ms after Generate (load ${Math.round(app.timings.loadMs)} ms), ${Math.round(app.timings.generateMs)} ms generating`,
    );
  } catch (e) {
    app.error = `${e?.name ?? "Error"}: ${e?.message ?? e}`;
    setStatus("error", app.error);
  } finally {
    button.disabled = false;
  }
});

await refreshCache();
setStatus("idle", "ready");
