// Model sources other than bytes, in node (CPU backend): a Blob loads on
// both engines (node has no FileReaderSync, so the worker side reads it
// whole: the piece-by-piece path is tested in Chromium by
// crates/wasm/tests/browser and the example web app), progress reaches the
// file's size, memory() reports the wasm heap, and the incremental SHA-256
// equals crypto.subtle's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { InThreadEngine, WorkerEngine, sha256Blob, sha256Hex } from "../dist/index.js";
import { serve } from "../dist/worker.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const MODEL = readFileSync(here("../../../shared/fixtures/models/stories260K/stories260K.gguf"));
const WASM = readFileSync(here("../dist/wasm/kaoshi_wasm_bg.wasm"));

test("a Blob loads in this thread and over the worker protocol, with progress", async () => {
  const blob = new Blob([MODEL]);
  const inThread = await InThreadEngine.load(blob, { backend: "cpu", wasm: WASM });
  const want = await inThread.generate("Lily", { maxTokens: 24 });
  const { port1, port2 } = new MessageChannel();
  const stop = serve(port2);
  const seen = [];
  const remote = await WorkerEngine.load(port1, blob, {
    backend: "cpu",
    wasm: WASM,
    onProgress: (loaded, total) => seen.push([loaded, total]),
  });
  try {
    assert.equal(await remote.generate("Lily", { maxTokens: 24 }), want);
    assert.ok(seen.length > 0 && seen.at(-1)[0] === MODEL.length && seen.at(-1)[1] === MODEL.length, JSON.stringify(seen));
    const mem = await remote.memory();
    assert.ok(mem.wasmBytes >= MODEL.length, `wasm memory ${mem.wasmBytes}`);
  } finally {
    await remote.dispose();
    await inThread.dispose();
    stop();
    port1.close();
  }
});

test("incremental SHA-256 of a Blob equals crypto.subtle's", async () => {
  // Bigger than one 8 MiB slice, not a multiple of it.
  const big = new Uint8Array(9 * 1024 * 1024 + 13).map((_, i) => (i * 31) & 255);
  for (const bytes of [MODEL, big, new Uint8Array(0)]) {
    assert.equal(await sha256Blob(new Blob([bytes]), WASM), await sha256Hex(bytes));
  }
});
