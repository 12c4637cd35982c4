// Benchmark suites through the package (dist/, CPU backend in node), in
// this thread and over the worker protocol: the records `runSuite` streams
// must be exactly the lines `kaoshi eval` writes to samples_cmmlu.jsonl for
// the same model, data and settings (the CLI binary built by `cargo test
// --release`, or KAOSHI_BIN), its metrics those of the CLI's results.json;
// an aborted run resumes from its records; missing or malformed data rejects
// with a SuiteDataError naming the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { InThreadEngine, WorkerEngine, suiteCatalog } from "../dist/index.js";
import { serve } from "../dist/worker.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here("../../");
const MODEL_PATH = `${repo}../shared/fixtures/models/stories260K/stories260K.gguf`;
const DATA = `${repo}../shared/data/cmmlu/`;
const KAOSHI = process.env.KAOSHI_BIN ?? `${repo}target/release/kaoshi`;
for (const [what, path] of [
  ["the stories260K fixture", MODEL_PATH],
  ["the CMMLU data", DATA],
  ["the kaoshi CLI (cargo build --release -p kaoshi-cli, or set KAOSHI_BIN)", KAOSHI],
]) {
  if (!existsSync(path)) throw new Error(`${what} is missing: ${path}`);
}
const MODEL = readFileSync(MODEL_PATH);
const WASM = readFileSync(here("../dist/wasm/kaoshi_wasm_bg.wasm"));
const LIMIT = 10;
/** TOL_CPU of crates/wasm/tests/common/mod.rs (parsed, not copied): wasm vs native CPU log-probabilities. */
const TOL = Number(readFileSync(`${repo}crates/wasm/tests/common/mod.rs`, "utf8").match(/pub const TOL_CPU: f64 = ([^;]+);/)[1]);

const catalog = await suiteCatalog(WASM);
const cmmlu = catalog.suites.find((s) => s.name === "cmmlu");
/** CMMLU's published files, read from the shared copy by their relPath. */
const FILES = Object.fromEntries(cmmlu.source.files.map((f) => [f.relPath, new Uint8Array(readFileSync(DATA + f.relPath))]));

/** The CLI's records and results for the same run. */
function cliRun() {
  const out = mkdtempSync(join(tmpdir(), "kaoshi-pkg-suites-"));
  try {
    execFileSync(KAOSHI, [
      "eval", "--model", MODEL_PATH, "--suite", "cmmlu", "--data", DATA, "--limit", String(LIMIT),
      "--mode", "letter", "--chat-template", "none", "--output", out,
    ], { stdio: ["ignore", "ignore", "pipe"] });
    const lines = readFileSync(join(out, "samples_cmmlu.jsonl"), "utf8").trim().split("\n");
    return { records: lines.map((l) => JSON.parse(l)), results: JSON.parse(readFileSync(join(out, "results.json"), "utf8")) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
const CLI = cliRun();

async function rejectsWithName(promise, name, what) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, name, `${what}: ${e.name}: ${e.message}`);
    return true;
  });
  return promise.catch((e) => e);
}

async function suiteChecks(t, engine) {
  const request = { suite: "cmmlu", files: FILES, mode: "letter", limit: LIMIT };
  let full;
  await t.test("records and metrics equal the CLI's", async () => {
    const seen = [];
    full = await engine.runSuite(request, { onRecord: (r, done, total) => seen.push([r, done, total]) });
    full.records = seen.map(([r]) => r);
    assert.deepEqual(seen.map(([, d, n]) => [d, n]), seen.map((_, i) => [i + 1, LIMIT]));
    // The records are the CLI's journal lines (after a JSON round trip),
    // but for the log-probabilities: wasm SIMD and the native CPU's kernels
    // round differently (seen: 6e-7), so those agree within TOL_CPU.
    const ours = full.records.map((r) => JSON.parse(JSON.stringify(r)));
    assert.equal(ours.length, CLI.records.length);
    ours.forEach((r, i) => {
      const want = CLI.records[i];
      r.logprobs.forEach((x, j) => assert.ok(Math.abs(x - want.logprobs[j]) <= TOL, `record ${i} option ${j}: ${x} vs ${want.logprobs[j]}`));
      assert.deepEqual({ ...r, logprobs: null }, { ...want, logprobs: null }, `record ${i}`);
    });
    assert.equal(full.n_effective, LIMIT);
    assert.equal(full.metrics.metrics["acc,none"], CLI.results.results.cmmlu["acc,none"]);
    assert.equal(full.prompt_hash, CLI.results.configs.cmmlu.prompt_hash);
  });
  await t.test("an aborted run resumes from its records", async () => {
    const controller = new AbortController();
    const kept = [];
    const first = engine.runSuite(request, {
      signal: controller.signal,
      onRecord: (r) => {
        kept.push(r);
        if (kept.length === 3) controller.abort();
      },
    });
    await rejectsWithName(first, "AbortError", "aborted run");
    assert.ok(kept.length >= 3 && kept.length < LIMIT, `kept ${kept.length}`);
    const rest = [];
    const out = await engine.runSuite({ ...request, done: kept }, { onRecord: (r) => rest.push(r) });
    assert.equal(out.n_resumed, kept.length);
    assert.deepEqual(rest, full.records.slice(kept.length), "only the rest runs");
    assert.deepEqual(out.metrics, { ...full.metrics });
  });
  await t.test("results.json in the CLI's layout", async () => {
    const doc = await engine.resultsJson([full], { model: "stories260K.gguf", modelSha256: "00ff", limit: LIMIT });
    assert.equal(doc.results.cmmlu["acc,none"], CLI.results.results.cmmlu["acc,none"]);
    assert.deepEqual(Object.keys(doc).sort(), Object.keys(CLI.results).sort());
    assert.equal(doc.provenance.model_sha256, "00ff");
  });
  await t.test("missing and malformed data reject with SuiteDataError", async () => {
    const none = await rejectsWithName(engine.runSuite({ suite: "cmmlu", limit: 2 }), "SuiteDataError", "no files");
    assert.match(none.message, /needs its data files/);
    const bad = { ...FILES, "test/agronomy.csv": new TextEncoder().encode('"","Question","A"\n"1","q"\n') };
    const e = await rejectsWithName(engine.runSuite({ suite: "cmmlu", files: bad, limit: 2 }), "SuiteDataError", "bad row");
    assert.match(e.message, /agronomy\.csv/);
    await rejectsWithName(engine.runSuite({ suite: "nope" }), "KaoshiError", "unknown suite");
  });
  await t.test("the demo suite needs no files; perplexity", async () => {
    const out = await engine.runSuite({ suite: "demo" });
    assert.equal(out.task, "demo");
    assert.ok(out.n_effective > 0);
    const ppl = await engine.perplexity("Once upon a time, there was a little girl named Lily.", { window: 64 });
    assert.ok(ppl.n_tokens > 5 && Number.isFinite(ppl.ppl) && ppl.ppl > 1, JSON.stringify(ppl));
  });
}

test("catalog", () => {
  assert.ok(cmmlu.source.files.length > 60, "CMMLU's pinned files");
  assert.ok(cmmlu.source.files.every((f) => f.url.startsWith("https://") && /^[0-9a-f]{64}$/.test(f.sha256)));
  assert.equal(catalog.suites.find((s) => s.name === "demo").source, null);
  assert.ok(catalog.groups["openeval-capability"].length > 0);
});

test("in-thread engine runs suites", async (t) => {
  const engine = await InThreadEngine.load(MODEL, { backend: "cpu", wasm: WASM });
  try {
    await suiteChecks(t, engine);
  } finally {
    await engine.dispose();
  }
});

test("worker engine runs suites (serve over a MessageChannel)", async (t) => {
  const { port1, port2 } = new MessageChannel();
  const stop = serve(port2);
  const engine = await WorkerEngine.load(port1, MODEL, { backend: "cpu", wasm: WASM });
  try {
    await suiteChecks(t, engine);
  } finally {
    await engine.dispose();
    stop();
    port1.close();
  }
});
