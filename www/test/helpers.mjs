// Shared setup of the site's browser tests: the built site (www/dist) served
// by www/serve.mjs, headless Chromium (the system's, or $CHROMIUM) on a fresh
// profile with WebGPU on SwiftShader, and a page that records page errors and
// every request, so each test can assert "no uncaught errors" and "nothing
// but our own origin".
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { DIST, FOLDERS, MODELS } from "../serve.mjs";

export const here = (p) => fileURLToPath(new URL(p, import.meta.url));
export const OUT = here("../test-output/");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const MODEL_PATH = MODELS["/models/stories260K.gguf"];
export const DATA = FOLDERS["/data/"];

for (const [what, path] of [
  ["the built site (run scripts/build-www.sh)", join(DIST, "index.html")],
  ["the stories260K fixture (../shared beside the repository)", MODEL_PATH],
  ["the benchmark data (../shared/data beside the repository)", join(DATA, "cmmlu/test/agronomy.csv")],
  ["chromium (set CHROMIUM)", CHROMIUM],
]) {
  if (!existsSync(path)) throw new Error(`${what} is missing: ${path}`);
}
mkdirSync(OUT, { recursive: true });

export const MODEL_SHA256 = createHash("sha256").update(readFileSync(MODEL_PATH)).digest("hex");

/** A fresh Chromium profile; resolves with {context, page, errors, requests, close}. */
export async function openBrowser(viewport = { width: 1280, height: 900 }) {
  const profile = mkdtempSync(join(tmpdir(), "kaoshi-www-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    acceptDownloads: true,
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
  const errors = [];
  const requests = [];
  const logs = [];
  context.on("request", (r) => requests.push(r.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
  return {
    context,
    page,
    errors,
    requests,
    logs,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the site and waits until it has mounted every section. */
export async function openSite(page, url) {
  await page.goto(`${url}/`);
  await page.waitForFunction(() => window.kaoshiSite?.booted === true, null, { timeout: 30_000 });
}

/** Loads stories260K from the local URL on the CPU backend and waits for its info. */
export async function loadModel(page, backend = "cpu") {
  await page.selectOption("#backend", backend);
  await page.fill("#model-url", "/models/stories260K.gguf");
  await page.click("#model-fetch");
  await page.waitForFunction(() => ["ready", "error"].includes(window.kaoshiSite.modelState), null, { timeout: 60_000 });
  return page.evaluate(() => ({ state: window.kaoshiSite.modelState, error: window.kaoshiSite.modelError, model: window.kaoshiSite.model, info: window.kaoshiSite.info }));
}

/** Whether the installed kaoshi package has the suite API (suiteCatalog / runSuite). */
export async function hasSuiteApi(page) {
  return page.evaluate(() => window.kaoshiSite.catalog !== null);
}

/** Ticks exactly `suites` in the suite list and sets the options. */
export async function chooseSuites(page, suites, { limit = "", mode = "", fewshot = "0", mirror = "" } = {}) {
  await page.evaluate((names) => {
    for (const i of document.querySelectorAll('#suite-list input[name="suite"]')) i.checked = names.includes(i.value);
  }, suites);
  await page.fill("#opt-limit", String(limit));
  await page.selectOption("#opt-mode", mode);
  await page.fill("#opt-fewshot", String(fewshot));
  await page.fill("#mirror-url", mirror);
}

/** Waits until the run ends (done, error, paused, cancelled). */
export async function waitRunEnd(page, timeout = 120_000) {
  await page.waitForFunction(() => ["done", "error", "paused", "cancelled"].includes(window.kaoshiSite.runState), null, { timeout });
  return page.evaluate(() => ({ state: window.kaoshiSite.runState, error: window.kaoshiSite.runError, run: window.kaoshiSite.run }));
}

export async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
}

/** Requests to anything but `origin` (data:, blob: and about: are local). */
export function foreign(requests, origin) {
  return requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob|about|chrome-extension):/.test(u));
}
