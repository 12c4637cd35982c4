// The package against dist/ (build first: scripts/build-wasm-pkg.sh), in
// node on the CPU backend (node has no WebGPU): the in-thread engine, and
// the worker protocol with worker.js's `serve` answering over a
// MessageChannel in this same thread (the real structured-clone boundary;
// node's worker_threads are not Web Workers, so `WorkerEngine.spawn` is left
// to a browser test). The model and the expected outputs are read from
// ../shared beside the repository; the reference scores are the ones
// crates/wasm/tests/common/mod.rs holds (parsed from it, not copied).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { InThreadEngine, WorkerEngine } from "../dist/index.js";
import { serve } from "../dist/worker.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here("../../");
const fixtures = `${repo}../shared/fixtures/models/stories260K/`;
if (!existsSync(fixtures)) {
  throw new Error(`${fixtures} is missing: these tests need ../shared/fixtures beside the repository`);
}
const MODEL = readFileSync(`${fixtures}stories260K.gguf`);
// The same file and comparison as crates/wasm/tests/native.rs (trailing newlines trimmed).
const GREEDY_256 = readFileSync(`${fixtures}expected/observed_llama2c_run.c_t0_n256_noprompt.txt`, "utf8").replace(
  /\n+$/,
  "",
);
const WASM = readFileSync(here("../dist/wasm/kaoshi_wasm_bg.wasm"));

/** CONTEXT, CONTINUATIONS, REFERENCE_TOKEN_LOGPROBS and TOL_CPU from crates/wasm/tests/common/mod.rs. */
function reference() {
  const src = readFileSync(`${repo}crates/wasm/tests/common/mod.rs`, "utf8");
  const item = (name) => {
    const m = src.match(new RegExp(`pub const ${name}: [^=]+= ([\\s\\S]*?);\\n`));
    assert.ok(m, `${name} not found in crates/wasm/tests/common/mod.rs`);
    return m[1];
  };
  const json = (rust) => JSON.parse(rust.replace(/&\[/g, "[").replace(/,(\s*)\]/g, "$1]"));
  return {
    context: JSON.parse(item("CONTEXT")),
    continuations: json(item("CONTINUATIONS")),
    tokenLogprobs: json(item("REFERENCE_TOKEN_LOGPROBS")),
    tol: Number(item("TOL_CPU")),
  };
}
const REF = reference();

function assertNearReference(scores, what) {
  assert.equal(scores.length, REF.tokenLogprobs.length, `${what}: number of continuations`);
  scores.forEach((s, i) => {
    const want = REF.tokenLogprobs[i];
    assert.equal(s.nTokens, want.length, `${what}: continuation ${i} tokens`);
    assert.equal(s.tokenLogprobs.length, want.length);
    s.tokenLogprobs.forEach((x, j) =>
      assert.ok(Math.abs(x - want[j]) <= REF.tol, `${what}: continuation ${i} token ${j}: ${x} vs ${want[j]} (tol ${REF.tol})`),
    );
    const sum = want.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(s.logprob - sum) <= REF.tol * want.length, `${what}: continuation ${i} logprob`);
  });
}

async function rejectsWithName(promise, name, what) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof Error, `${what}: not an Error: ${e}`);
    assert.equal(e.name, name, `${what}: ${e.name}: ${e.message}`);
    return true;
  });
}

/** Runs the common checks on an engine (in-thread or over the worker protocol). */
async function commonChecks(t, engine, what) {
  await t.test("info", async () => {
    const info = await engine.info();
    assert.equal(info.architecture, "llama");
    assert.equal(info.backend, "cpu");
    assert.equal(info.vocab, 512);
    assert.equal(info.layers, 5);
    assert.equal(info.dim, 64);
  });
  await t.test("tokenize", async () => {
    const ids = await engine.tokenize("Once upon a time");
    assert.ok(ids instanceof Uint32Array);
    assert.equal(ids[0], 1, "BOS first");
    assert.deepEqual([...(await engine.tokenize("Once upon a time", false))], [...ids.slice(1)]);
  });
  await t.test("greedy 256 tokens from BOS equal llama2.c run.c", async () => {
    const pieces = [];
    const text = await engine.generate("", { maxTokens: 256, temperature: 0, onToken: (p) => pieces.push(p) });
    assert.equal(text, GREEDY_256);
    assert.ok(pieces.length > 10, `several pieces arrive (${pieces.length})`);
    assert.ok(pieces.every((p) => typeof p === "string" && p.length > 0));
    assert.equal(pieces.join(""), text, "onToken's pieces make the text");
  });
  await t.test("a throwing onToken rejects with its error and stops", async () => {
    let calls = 0;
    const boom = new Error("stop here");
    await assert.rejects(
      engine.generate("", {
        maxTokens: 64,
        onToken: () => {
          calls += 1;
          if (calls === 3) throw boom;
        },
      }),
      (e) => e instanceof Error && e.message === "stop here",
    );
    assert.equal(calls, 3, "no piece after the throw");
    // The engine still works afterwards.
    assert.ok(GREEDY_256.startsWith(await engine.generate("", { maxTokens: 8 })));
  });
  await t.test("sampling is seeded", async () => {
    const opts = { maxTokens: 40, temperature: 1, topK: 40, topP: 0.95, seed: 5 };
    const a = await engine.generate("Once upon a time", opts);
    assert.equal(await engine.generate("Once upon a time", opts), a);
    assert.notEqual(await engine.generate("Once upon a time", { ...opts, seed: 6 }), a);
  });
  await t.test("score equals the native reference", async () => {
    assertNearReference(await engine.score(REF.context, REF.continuations), what);
  });
  await t.test("an aborted signal rejects with AbortError", async () => {
    const c = new AbortController();
    c.abort();
    await rejectsWithName(engine.generate("", { maxTokens: 8, signal: c.signal }), "AbortError", what);
  });
}

test("in-thread engine (CPU)", async (t) => {
  const engine = await InThreadEngine.load(MODEL, { backend: "cpu", wasm: WASM });
  await commonChecks(t, engine, "in-thread");
  await t.test("auto falls back to the CPU in node and says why", async () => {
    const auto = await InThreadEngine.load(MODEL, { wasm: WASM });
    const info = await auto.info();
    assert.equal(info.backend, "cpu");
    assert.match(info.fallbackReason ?? "", /WebGPU|navigator/);
    await auto.dispose();
  });
  await t.test("non-GGUF bytes reject with ModelFormatError", async () => {
    const html = new TextEncoder().encode("<!doctype html><p>not found</p>");
    await rejectsWithName(InThreadEngine.load(html, { backend: "cpu" }), "ModelFormatError", "html");
    await rejectsWithName(InThreadEngine.load(MODEL.subarray(0, MODEL.length >> 1), { backend: "cpu" }), "ModelFormatError", "truncated");
  });
  await t.test("a disposed engine rejects", async () => {
    await engine.dispose();
    await rejectsWithName(engine.info(), "KaoshiError", "disposed");
  });
});

test("worker protocol (serve over a MessageChannel, this thread)", async (t) => {
  const { port1, port2 } = new MessageChannel();
  const stop = serve(port2);
  port1.start();
  port2.start();
  try {
    const engine = await WorkerEngine.load(port1, MODEL, { backend: "cpu", wasm: WASM });
    await commonChecks(t, engine, "worker");
    await t.test("aborting a running generation rejects with AbortError", async () => {
      // The CPU loop yields to the event loop every 50 ms, when the abort
      // message is handled; a full context of 511 tokens takes longer.
      const c = new AbortController();
      const started = Date.now();
      const p = engine.generate("", { maxTokens: 511, stopAtEos: false, signal: c.signal });
      setTimeout(() => c.abort(), 1);
      const outcome = await p.then(() => null, (e) => e);
      if (outcome === null) {
        t.skip(`generation ended in ${Date.now() - started} ms, before its first yield (50 ms): nothing to abort`);
        return;
      }
      assert.equal(outcome.name, "AbortError", `${outcome.name}: ${outcome.message}`);
      console.log(`aborted after ${Date.now() - started} ms`);
    });
    await t.test("errors keep their name across the boundary", async () => {
      const html = new TextEncoder().encode("<!doctype html><p>not found</p>");
      await rejectsWithName(WorkerEngine.load(port1, html, { backend: "cpu" }), "ModelFormatError", "worker html");
      await rejectsWithName(WorkerEngine.load(port1, MODEL, { backend: "webgl" }), "KaoshiError", "bad backend");
    });
    await t.test("two models in one worker; transfer detaches the caller's bytes", async () => {
      const copy = new Uint8Array(MODEL);
      const other = await WorkerEngine.load(port1, copy, { backend: "cpu", transfer: true });
      assert.equal(copy.byteLength, 0);
      const [a, b] = await Promise.all([engine.generate("", { maxTokens: 20 }), other.generate("", { maxTokens: 20 })]);
      assert.equal(a, b);
      assert.ok(GREEDY_256.startsWith(a));
      await other.dispose();
      await rejectsWithName(other.info(), "KaoshiError", "disposed other");
      assert.equal((await engine.info()).vocab, 512, "the first model outlives the second");
    });
    await t.test("dispose frees the model; later calls reject", async () => {
      await engine.dispose();
      await rejectsWithName(engine.info(), "KaoshiError", "disposed");
    });
  } finally {
    stop();
    port1.close();
  }
});
