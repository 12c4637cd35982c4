// The example page end to end in headless Chromium (playwright-core, the
// system's /usr/bin/chromium): serve the repository, open the page, load
// stories260K from the local URL into a Web Worker, generate 64 tokens
// greedily from BOS with streamed output, and check the page's text against
// llama2.c's run.c output. Needs wasm-pkg/dist (scripts/test-wasm-pkg.sh).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
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

  const t = app.timings;
  console.log(
    `load-to-first-token: ${t.loadToFirstTokenMs.toFixed(1)} ms (fetch + worker + wasm + model load ${t.loadMs.toFixed(1)} ms; ` +
      `64 tokens in ${t.generateMs.toFixed(1)} ms; ${updates} output updates)`,
  );
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, "web-app.png"), fullPage: true });
  await page.close();
});
