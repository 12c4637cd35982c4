// The example page end to end in headless Chromium (playwright-core, the
// system's /usr/bin/chromium): serve the repository, open the page, load
// stories260K from the local URL into a Web Worker, generate 64 tokens
// greedily from BOS with streamed output, and check the page's text against
// llama2.c's run.c output. Needs wasm-pkg/dist (scripts/test-wasm-pkg.sh).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer, MODELS } from "../serve.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const OUT = here("../test-output/");
const EXPECTED = here("../../../../shared/fixtures/models/stories260K/expected/observed_llama2c_run.c_t0_n256_noprompt.txt");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

for (const [what, path] of [
  ["wasm-pkg/dist (run scripts/test-wasm-pkg.sh first)", here("../../../wasm-pkg/dist/index.js")],
  ["the stories260K fixture", MODELS["/models/stories260K.gguf"]],
  ["the expected text", EXPECTED],
  ["chromium", CHROMIUM],
]) {
  if (!existsSync(path)) throw new Error(`${what} is missing: ${path}`);
}

const MODEL_SHA256 = createHash("sha256").update(readFileSync(MODELS["/models/stories260K.gguf"])).digest("hex");
const MODEL_SIZE = readFileSync(MODELS["/models/stories260K.gguf"]).length;

let server;
let browser; // a BrowserContext on its own profile
let profile;

before(async () => {
  server = await startServer();
  profile = mkdtempSync(join(tmpdir(), "kaoshi-web-app-"));
  // A fresh profile; Playwright takes it as launchPersistentContext's first argument.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--enable-unsafe-webgpu",
    ],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("the page streams stories260K's greedy text from a worker", async () => {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
  // Only the local server: any other request would be a bug in the example.
  const foreign = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(server.url)) return route.continue();
    foreign.push(url);
    return route.abort();
  });

  await page.goto(`${server.url}/examples/web-app/`);
  await page.waitForFunction(() => window.kaoshiApp?.state === "idle");
  assert.equal(await page.inputValue("#model-url"), "/models/stories260K.gguf");
  await page.fill("#prompt", "");
  await page.fill("#max-tokens", "64");
  // The CPU backend: greedy text equal to run.c's (WebGPU on SwiftShader
  // agrees within a tolerance, not necessarily bit for bit).
  await page.selectOption("#backend", "cpu");

  // Count the output's updates while it streams.
  await page.evaluate(() => {
    window.outputUpdates = 0;
    new MutationObserver(() => (window.outputUpdates += 1)).observe(document.getElementById("output"), {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  await page.click("#generate");
  await page.waitForFunction(() => ["done", "error"].includes(window.kaoshiApp.state), null, { timeout: 60_000 });
  const app = await page.evaluate(() => window.kaoshiApp);
  assert.equal(app.error, null, `${app.error}\n${consoleLines.join("\n")}`);
  assert.equal(app.info.backend, "cpu");

  const shown = await page.textContent("#output");
  const expected = readFileSync(EXPECTED, "utf8");
  assert.ok(shown.length > 100, `some text: ${JSON.stringify(shown)}`);
  assert.equal(shown, app.text, "the streamed pieces make the resolved text");
  assert.ok(expected.startsWith(shown), `the page's text is the start of run.c's:\n${shown}\n---\n${expected}`);
  const updates = await page.evaluate(() => window.outputUpdates);
  assert.ok(updates > 10, `the output was updated piece by piece (${updates} updates)`);
  assert.deepEqual(foreign, [], "no third-party requests");

  // The fetched model went into the cache, listed with its sha256.
  await page.waitForSelector(`#cache-list li[data-sha256="${MODEL_SHA256}"]`);
  const cached = await page.evaluate(() => window.kaoshiApp.cache);
  assert.equal(app.source, "network");
  assert.equal(app.cacheError, null);
  assert.equal(cached.length, 1);
  assert.equal(cached[0].sha256, MODEL_SHA256, "the cache's sha256 is node's");
  assert.equal(cached[0].size, MODEL_SIZE);
  assert.equal(cached[0].name, "stories260K.gguf");
  assert.equal(cached[0].persisted, null, "no persist() request for a 1 MiB file");
  const row = await page.textContent(`#cache-list li[data-sha256="${MODEL_SHA256}"] .cache-entry`);
  assert.ok(row.includes("stories260K.gguf") && row.includes(MODEL_SHA256.slice(0, 12)), row);

  const t = app.timings;
  console.log(
    `load-to-first-token: ${t.loadToFirstTokenMs.toFixed(1)} ms (fetch + worker + wasm + model load ${t.loadMs.toFixed(1)} ms; ` +
      `64 tokens in ${t.generateMs.toFixed(1)} ms; ${updates} output updates)`,
  );
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, "web-app.png"), fullPage: true });
  await page.close();
});

/** A page on the local server, with its console collected and model fetches counted. */
async function openPage() {
  const page = await browser.newPage();
  const log = [];
  const modelFetches = [];
  page.on("console", (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => log.push(`pageerror: ${e.message}`));
  page.on("request", (r) => r.url().includes("/models/") && modelFetches.push(r.url()));
  await page.goto(`${server.url}/examples/web-app/`);
  await page.waitForFunction(() => window.kaoshiApp?.state === "idle");
  return { page, log, modelFetches };
}

test("the cached model loads after a reload, generates the same text, and is removed", async () => {
  const { page, log, modelFetches } = await openPage();
  await page.reload();
  await page.waitForFunction(() => window.kaoshiApp?.state === "idle");
  const entry = `#cache-list li[data-sha256="${MODEL_SHA256}"]`;
  await page.waitForSelector(entry);
  assert.equal(await page.isHidden("#cache-empty"), true);

  await page.click(`${entry} .cache-use`);
  assert.equal(await page.inputValue("#model-url"), `cache:${MODEL_SHA256}`);
  await page.fill("#max-tokens", "64");
  await page.selectOption("#backend", "cpu");
  const t0 = Date.now();
  await page.click("#generate");
  await page.waitForFunction(() => ["done", "error"].includes(window.kaoshiApp.state), null, { timeout: 60_000 });
  const app = await page.evaluate(() => window.kaoshiApp);
  assert.equal(app.error, null, `${app.error}\n${log.join("\n")}`);
  assert.equal(app.source, "cache");
  assert.deepEqual(modelFetches, [], "the model was not fetched again");
  const expected = readFileSync(EXPECTED, "utf8");
  const shown = await page.textContent("#output");
  assert.ok(shown.length > 100, `some text: ${JSON.stringify(shown)}`);
  assert.ok(expected.startsWith(shown), `the page's text is the start of run.c's:\n${shown}\n---\n${expected}`);
  console.log(
    `from the cache: load-to-first-token ${app.timings.loadToFirstTokenMs.toFixed(1)} ms ` +
      `(cache.get with sha256 check + worker + model load ${app.timings.loadMs.toFixed(1)} ms; ${Date.now() - t0} ms in all)`,
  );

  await page.click(`${entry} .cache-remove`);
  await page.waitForFunction(() => window.kaoshiApp.cache?.length === 0);
  assert.equal(await page.locator("#cache-list li").count(), 0);
  assert.equal(await page.isVisible("#cache-empty"), true);
  // Gone from OPFS too, not only from the index.
  const files = await page.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle("kaoshi-models");
    const names = [];
    for await (const name of dir.keys()) names.push(name);
    return names.sort();
  });
  assert.deepEqual(files, ["index.json"]);
  await page.close();
});

test("a corrupted cache entry makes get reject with IntegrityError and is deleted", async () => {
  const { page } = await openPage();
  const result = await page.evaluate(async () => {
    const { ModelCache } = await import("/wasm-pkg/dist/index.js");
    const cache = new ModelCache();
    const bytes = new Uint8Array(4096).map((_, i) => i * 7);
    const entry = await cache.put(new Blob([bytes]), "pattern.bin");
    const roundTrip = await cache.get(entry.sha256);
    // Overwrite the stored file behind the cache's back.
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle("kaoshi-models");
    const w = await (await dir.getFileHandle(entry.sha256)).createWritable();
    await w.write(new Uint8Array([1, 2, 3]));
    await w.close();
    let error = null;
    try {
      await cache.get(entry.sha256);
    } catch (e) {
      error = { name: e.name, message: e.message, isError: e instanceof Error };
    }
    let badHash = null;
    try {
      await cache.get("not-a-hash");
    } catch (e) {
      badHash = e.name;
    }
    return {
      entry,
      same: roundTrip !== null && roundTrip.length === bytes.length && roundTrip.every((b, i) => b === bytes[i]),
      error,
      badHash,
      after: await cache.list(),
      again: await cache.get(entry.sha256),
      usage: await cache.usage(),
      // persist() is asked for files above the threshold (100 MiB by default).
      big: await (async () => {
        const c = new ModelCache({ persistAboveBytes: 1000 });
        const e = await c.put(bytes, "big.bin");
        await c.remove(e.sha256);
        return e;
      })(),
    };
  });
  assert.match(result.entry.sha256, /^[0-9a-f]{64}$/);
  assert.equal(result.entry.size, 4096);
  assert.equal(result.same, true, "get returns the stored bytes");
  assert.equal(result.error?.name, "IntegrityError", JSON.stringify(result.error));
  assert.equal(result.error.isError, true);
  assert.equal(result.badHash, "TypeError");
  assert.deepEqual(result.after, [], "the corrupt entry was deleted");
  assert.equal(result.again, null, "and its file too");
  assert.ok(result.usage.quota > 0, JSON.stringify(result.usage));
  assert.equal(result.entry.persisted, null);
  assert.equal(typeof result.big.persisted, "boolean", "persist() was asked and its answer recorded");
  await page.close();
});
