// The example page: loads a GGUF model into a Web Worker (WorkerEngine.spawn
// from wasm-pkg/dist) and streams greedy text into #output. The test reads
// `window.kaoshiApp` (state, timings) and the DOM.
import { WorkerEngine } from "../../wasm-pkg/dist/index.js";

const $ = (id) => document.getElementById(id);
const output = $("output");
const status = $("status");
const button = $("generate");

/** What the page did last, for people (the status line) and the test. */
const app = (window.kaoshiApp = { state: "idle", error: null, info: null, timings: null, text: "" });

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
  setStatus("loading", `fetching ${url} ...`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
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

setStatus("idle", "ready");
