// The site end to end in headless Chromium (see helpers.mjs for the setup):
// model info, a run with results and a chart, reload-and-resume, exports in
// the CLI's layout, both languages and phone width, no foreign requests,
// clear messages for bad inputs, and where "auto" runs and why. Tests that
// need the engine's suite API (suiteCatalog / runSuite in wasm-pkg/dist)
// fail with that reason when the package lacks it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { startServer } from "../serve.mjs";
import { DATA, MODEL_SHA256, OUT, chooseSuites, foreign, hasSuiteApi, here, loadModel, openBrowser, openSite, shot, waitRunEnd } from "./helpers.mjs";

const SUITE_API = "the kaoshi package in wasm-pkg/dist has no suiteCatalog/runSuite yet";

// A cmmlu test file whose third line has 4 columns instead of 7.
const good = readFileSync(join(DATA, "cmmlu/test/agronomy.csv"), "utf8").split("\n");
const BROKEN_CSV = [good[0], good[1], "2,a question with too few columns,A,B", ...good.slice(3)].join("\n");

let server;
before(async () => {
  server = await startServer({
    folders: { "/broken/": DATA },
    extra: { "/broken/cmmlu/test/agronomy.csv": BROKEN_CSV },
  });
});
after(async () => {
  await server?.close();
});

async function withSite(fn, viewport) {
  const b = await openBrowser(viewport);
  try {
    await openSite(b.page, server.url);
    await fn(b);
    assert.deepEqual(b.errors, [], `no uncaught page errors\n${b.logs.join("\n")}`);
  } finally {
    await b.close();
  }
}

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return readFileSync(await dl.path(), "utf8");
}

test("1. loads stories260K from a URL, shows its info, runs the demo suite, shows the table and a chart", async () => {
  await withSite(async ({ page, logs }) => {
    const m = await loadModel(page);
    assert.equal(m.state, "ready", `model loaded: ${m.error}\n${logs.join("\n")}`);
    assert.equal(m.model.sha256, MODEL_SHA256);
    assert.equal(m.info.architecture, "llama");
    const info = await page.textContent("#model-info");
    for (const s of ["llama", MODEL_SHA256, "F32", "cpu"]) assert.ok(info.includes(s), `info shows ${s}: ${info}`);
    await page.waitForSelector(`#cache-list li[data-sha256="${MODEL_SHA256}"]`);
    assert.ok(await hasSuiteApi(page), SUITE_API);
    await chooseSuites(page, ["demo"]);
    await page.click("#run-start");
    const end = await waitRunEnd(page);
    assert.equal(end.state, "done", `run finished: ${end.error}`);
    assert.equal(end.run.outcomes[0].n_effective, 32);
    await page.waitForSelector('#results-tasks tr[data-task="demo"]');
    const bars = await page.locator("#results-body svg.chart.bars rect.bar").count();
    assert.ok(bars > 0, "a bar chart with bars");
    await shot(page, "1-demo-run-desktop");
  });
});

test("2. a run survives a reload: resumed items are not run again", async () => {
  await withSite(async ({ page }) => {
    assert.equal((await loadModel(page)).state, "ready");
    assert.ok(await hasSuiteApi(page), SUITE_API);
    const LIMIT = 40;
    await chooseSuites(page, ["cmmlu"], { limit: LIMIT, mode: "letter", mirror: `${server.url}/data` });
    await page.click("#run-start");
    await page.waitForFunction(() => window.kaoshiSite.recordsThisPage >= 6, null, { timeout: 120_000 });
    await page.reload();
    await page.waitForFunction(() => window.kaoshiSite?.booted === true);
    await page.waitForSelector("#resume-banner:not([hidden]) #resume-run");
    await shot(page, "2-resume-offer");
    await page.click("#resume-run");
    const end = await waitRunEnd(page, 150_000);
    assert.equal(end.state, "done", `resumed run finished: ${end.error}`);
    const o = end.run.outcomes[0];
    assert.equal(o.n_effective, LIMIT);
    assert.ok(o.n_resumed > 0, `n_resumed = ${o.n_resumed}`);
    const here = await page.evaluate(() => window.kaoshiSite.recordsThisPage);
    assert.equal(here, LIMIT - o.n_resumed, "only the rest ran after the reload");
  });
});

test("3. exports results.json in the CLI's layout and samples JSONL", async () => {
  await withSite(async ({ page }) => {
    assert.equal((await loadModel(page)).state, "ready");
    assert.ok(await hasSuiteApi(page), SUITE_API);
    await chooseSuites(page, ["demo"], { limit: 8 });
    await page.click("#run-start");
    assert.equal((await waitRunEnd(page)).state, "done");
    const text = await download(page, "#export-results");
    const doc = JSON.parse(text);
    assert.equal(typeof doc.results.demo["acc,none"], "number");
    assert.ok(doc.configs.demo, "configs.demo");
    assert.equal(doc["n-samples"].demo.effective, 8);
    assert.equal(doc.provenance.model_sha256, MODEL_SHA256);
    const cli = ["release", "debug"].map((p) => here(`../../target/${p}/kaoshi`)).find(existsSync);
    if (cli) {
      const file = join(OUT, "results.json");
      (await import("node:fs")).writeFileSync(file, text);
      const r = spawnSync(cli, ["report", "--check", file], { encoding: "utf8" });
      if (/unexpected argument|unrecognized|unknown|Usage/i.test(r.stderr) && r.status !== 0) console.log(`# ${cli} has no 'report --check' yet: skipped`);
      else assert.equal(r.status, 0, `kaoshi report --check: ${r.stdout}${r.stderr}`);
    }
    const jsonl = await download(page, '.export-jsonl[data-task="demo"]');
    const lines = jsonl.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 8);
    for (const r of lines) assert.equal(r.task, "demo");
    const csv = await download(page, "#export-csv");
    assert.equal(csv.trim().split("\r\n").length, 9, "header + 8 rows");
  });
});

test("4. Chinese and English UI; phone width and desktop screenshots", async () => {
  await withSite(async ({ page }) => {
    await page.click("#lang-zh");
    assert.equal(await page.textContent("#model-h"), "模型");
    assert.equal(await page.textContent("#suites-h"), "评测集");
    await shot(page, "4-desktop-zh");
    await page.reload();
    await page.waitForFunction(() => window.kaoshiSite?.booted === true);
    assert.equal(await page.textContent("#run-h"), "运行", "the choice is remembered");
    await page.click("#lang-en");
    assert.equal(await page.textContent("#model-h"), "Model");
    assert.equal(await page.textContent("#results-h"), "Results");
    assert.equal((await loadModel(page)).state, "ready");
    await shot(page, "4-desktop-en");
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling at 390 px (${overflow} px)`);
    await shot(page, "4-phone-en");
    await page.click("#lang-zh");
    await shot(page, "4-phone-zh");
    // Keyboard: Tab reaches the language switch with a visible focus.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    assert.ok(["A", "BUTTON"].includes(focused), `keyboard focus on a control (${focused})`);
  });
});

test("5. no request leaves 127.0.0.1 during a whole run", async () => {
  await withSite(async ({ page, requests }) => {
    assert.equal((await loadModel(page)).state, "ready");
    assert.ok(await hasSuiteApi(page), SUITE_API);
    await chooseSuites(page, ["cmmlu"], { limit: 4, mode: "letter", mirror: `${server.url}/data` });
    await page.click("#run-start");
    assert.equal((await waitRunEnd(page)).state, "done");
    await shot(page, "5-cmmlu-run");
    assert.ok(requests.some((u) => u.endsWith(".wasm")), "the wasm was fetched");
    assert.deepEqual(foreign(requests, server.url), [], "only our own origin");
  });
});

test("6. bad inputs give clear messages, nothing crashes", async () => {
  await withSite(async ({ page }) => {
    await page.setInputFiles("#model-file", { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("this is not a GGUF file at all\n") });
    await page.waitForFunction(() => window.kaoshiSite.modelState === "error");
    const msg1 = await page.textContent("#model-message");
    assert.match(msg1, /ModelFormatError/, msg1);
    await page.fill("#model-url", "/models/missing.gguf");
    await page.click("#model-fetch");
    await page.waitForFunction(() => /HTTP 404/.test(document.getElementById("model-message").textContent));
    await page.fill("#model-url", "http://127.0.0.1:9/nothing.gguf");
    await page.click("#model-fetch");
    await page.waitForFunction(() => /NetworkError|fetch/i.test(document.getElementById("model-message").textContent));
    await shot(page, "6-bad-inputs");
    assert.equal((await loadModel(page)).state, "ready", "a good model still loads afterwards");
    assert.ok(await hasSuiteApi(page), SUITE_API);
    await chooseSuites(page, ["cmmlu"], { limit: 2, mode: "letter", mirror: `${server.url}/broken` });
    await page.click("#run-start");
    const end = await waitRunEnd(page);
    assert.equal(end.state, "error");
    const msg = await page.textContent("#run-message");
    assert.match(msg, /agronomy\.csv/, msg);
    assert.match(msg, /:3\b|line 3/, `names the line: ${msg}`);
    await shot(page, "6-broken-csv");
  });
});

test("7. auto leaves a software WebGPU adapter (SwiftShader here) for the CPU, and the info panel says why", async () => {
  await withSite(async ({ page }) => {
    const software = await page.evaluate(async () => {
      const adapter = await navigator.gpu?.requestAdapter();
      if (!adapter) return null;
      return Boolean(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter);
    });
    assert.notEqual(software, null, "headless Chromium here has a WebGPU adapter (SwiftShader)");
    const m = await loadModel(page, "auto");
    assert.equal(m.state, "ready", m.error);
    const info = await page.textContent("#model-info");
    if (software) {
      assert.equal(m.info.backend, "cpu", "auto took the software adapter");
      assert.match(m.info.fallbackReason ?? "", /software rasterizer/);
      assert.ok(info.includes("software rasterizer"), `the info panel shows why: ${info}`);
    } else {
      assert.equal(m.info.backend, "gpu");
    }
    await shot(page, "7-auto-backend");
  });
});
