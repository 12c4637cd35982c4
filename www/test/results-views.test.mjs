// The results views fed by the CLI (see helpers.mjs for the browser setup):
// two results.json files written by `kaoshi eval` (stories260K on the CPU,
// the three OpenEval groups so that "groups" has scores), imported through
// the history; run A's tables, bar charts, radar and CMATH grade chart; the
// comparison of A and B against B − A computed from the files and against
// `kaoshi report A B`. Needs the CLI: $KAOSHI_BIN, else target/release/kaoshi.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startServer } from "../serve.mjs";
import { DATA, MODEL_PATH, OUT, here, openBrowser, openSite } from "./helpers.mjs";

const run = promisify(execFile);
const KAOSHI = process.env.KAOSHI_BIN ?? resolve(here("../.."), "target/release/kaoshi");
// Naming the groups (not their suites) is what fills results.json "groups";
// judge-scored members (cvalues, gaokao-subjective) are left out without a judge.
const GROUPS = ["openeval-capability", "openeval-alignment", "openeval-safety"];

let server;
let tmp;
before(async () => {
  server = await startServer();
  tmp = mkdtempSync(join(tmpdir(), "kaoshi-results-views-"));
});
after(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** `kaoshi eval` into tmp/<name>; resolves with {path, doc}. */
async function evalRun(name, extra) {
  const out = join(tmp, name);
  const args = ["eval", "--model", MODEL_PATH, "--suite", GROUPS.join(","), "--data", DATA, "--output", out, ...extra];
  await run(KAOSHI, args, { maxBuffer: 64 << 20 }).catch((e) => {
    throw new Error(`kaoshi ${args.join(" ")} failed: ${e.message}\n${e.stderr ?? ""}`);
  });
  const path = join(out, "results.json");
  return { path, doc: JSON.parse(readFileSync(path, "utf8")) };
}

const tasksOf = (doc) => Object.keys(doc.results).filter((k) => !k.includes(":"));
const acc = (doc, task) => doc.results[task]?.["acc,none"];
const f4 = (v) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(4) : "–");

test("results views: import CLI results, compare two runs, radar over OpenEval dimensions, CMATH accuracy by grade", async () => {
  assert.ok(existsSync(KAOSHI), `the kaoshi CLI is missing at ${KAOSHI}: build it (cargo build --release) or set KAOSHI_BIN`);

  // 1. Two CLI runs (per-suite default modes); B differs by its limit. They
  // run side by side while the browser starts.
  const browser = openBrowser();
  const [r1, r2] = await Promise.all([evalRun("x", ["--limit", "3"]), evalRun("y", ["--limit", "4"])]).catch(async (e) => {
    await (await browser).close();
    throw e;
  });
  // The site compares older (A) against newer (B); on equal dates the first
  // imported is A, so import in that order.
  const [A, B] = r1.doc.provenance.date <= r2.doc.provenance.date ? [r1, r2] : [r2, r1];
  for (const r of [A, B]) {
    const scored = GROUPS.filter((g) => typeof r.doc.groups?.[g]?.["acc_macro_over_tasks,none"] === "number");
    assert.deepEqual(scored, GROUPS, `${r.path} has scores for the three OpenEval groups: ${JSON.stringify(r.doc.groups)}`);
    assert.ok(r.doc.breakdowns?.cmath?.fields?.grade, `${r.path} has a cmath breakdown by grade`);
  }

  const { page, errors, logs, close } = await browser;
  try {
    await openSite(page, server.url);

    // 2. Import both through the history's import control.
    const ids = [];
    for (const r of [A, B]) {
      await page.setInputFiles("#import-file", r.path);
      await page.waitForFunction((n) => document.querySelectorAll("#history-list li[data-run]").length === n, ids.length + 1, { timeout: 10_000 });
      const now = await page.$$eval("#history-list li[data-run]", (lis) => lis.map((li) => li.dataset.run));
      ids.push(now.find((id) => !ids.includes(id)));
      assert.match(await page.textContent("#import-message"), /Imported/, `import of ${r.path}`);
    }
    assert.equal(await page.locator("#history-list li[data-run]").count(), 2, "the history lists two runs");

    // 3. View run A.
    await page.click(`#history-list li[data-run="${ids[0]}"] button:has-text("View")`);
    const tasks = tasksOf(A.doc);
    for (const task of tasks) {
      const cells = await page.$$eval(`#results-tasks tr[data-task="${task}"] td`, (tds) => tds.map((td) => td.textContent));
      assert.equal(cells.length, 9, `a row for ${task}`);
      // mode, shots, n, acc, stderr, macro, acc_norm, bits/byte, other metrics
      assert.equal(cells[2], String(A.doc["n-samples"][task].effective), `${task} n is run A's`);
      assert.equal(cells[3], f4(acc(A.doc, task)), `${task} acc`);
      assert.equal(cells[4], f4(A.doc.results[task]["acc_stderr,none"]), `${task} stderr`);
      // Metrics without a column of their own (FLORES chrF/BLEU, CBBQ bias, ...) are listed.
      for (const [k, v] of Object.entries(A.doc.results[task])) {
        const own = ["acc,none", "acc_macro,none", "acc_norm,none", "bits_per_byte,none"].includes(k);
        if (own || k === "alias" || k === "n_unextracted" || k.includes("stderr") || typeof v !== "number") continue;
        assert.ok(cells[8].includes(`${k.replace(/,none$/, "")} ${f4(v)}`), `${task}: ${k} among the other metrics: ${cells[8]}`);
      }
    }
    const flores = await page.textContent(`#results-tasks tr[data-task="flores"] td.other-metrics`);
    assert.match(flores ?? "", /chrf/i, `FLORES's chrF is shown: ${flores}`);
    const withSubjects = tasks.filter((t) => Object.keys(A.doc.breakdowns?.[t]?.subjects ?? {}).length > 0);
    assert.equal(await page.locator("#results-body svg.chart.bars").count(), withSubjects.length, "one bar chart per task with subjects");
    for (const [i, t] of withSubjects.entries()) {
      const bars = await page.locator("#results-body svg.chart.bars").nth(i).locator("rect.bar").count();
      assert.equal(bars, Object.keys(A.doc.breakdowns[t].subjects).length, `${t}: one bar per subject`);
    }
    const radar = page.locator("#results-body svg.chart.radar");
    assert.equal(await radar.count(), 1, "a radar chart");
    const vertices = (await radar.locator("polygon.area").getAttribute("points")).trim().split(/\s+/);
    assert.equal(vertices.length, GROUPS.length, `one radar vertex per scored dimension: ${vertices}`);
    const radarLabels = await radar.locator("text.label").allTextContents();
    for (const g of GROUPS) {
      const want = `${g.replace(/^openeval-/, "")} ${(A.doc.groups[g]["acc_macro_over_tasks,none"] * 100).toFixed(1)}%`;
      assert.ok(radarLabels.includes(want), `radar label ${want} in ${radarLabels}`);
    }
    const grades = Object.keys(A.doc.breakdowns.cmath.fields.grade).sort((a, b) => Number(a) - Number(b));
    const line = page.locator("#results-body svg.chart.line", { has: page.locator("title", { hasText: "cmath: accuracy by grade" }) });
    assert.equal(await line.count(), 1, "the CMATH accuracy-by-grade chart");
    assert.equal(await line.locator("circle.dot").count(), grades.length, "one point per grade");
    assert.deepEqual(await line.locator("text.label").allTextContents(), grades, "the grades in order");
    await page.locator("#results").screenshot({ path: join(OUT, "results-views-desktop.png") });

    // 4. Compare A and B.
    for (const id of ids) await page.check(`#history-list li[data-run="${id}"] input[type="checkbox"]`);
    await page.waitForSelector("#compare-table");
    const rows = await page.$$eval("#compare-table tr.task-row", (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
    const pageDelta = {};
    assert.deepEqual(rows.map((r) => r[0]).sort(), [...new Set([...tasks, ...tasksOf(B.doc)])].sort(), "a row per task");
    for (const [task, a, b, d] of rows) {
      const va = acc(A.doc, task);
      const vb = acc(B.doc, task);
      assert.equal(a, f4(va), `${task}: A`);
      assert.equal(b, f4(vb), `${task}: B`);
      if (typeof va !== "number" || typeof vb !== "number") {
        assert.equal(d, "–", `${task}: no delta without both scores`);
        continue;
      }
      const m = /^([+-]\d+\.\d{2}) pp$/.exec(d);
      assert.ok(m, `${task}: delta in pp: ${d}`);
      // "+x.xx pp" is the fraction to 4 decimals.
      pageDelta[task] = Number(m[1]) / 100;
      assert.equal(pageDelta[task].toFixed(4), (vb - va).toFixed(4), `${task}: B − A`);
    }
    assert.ok(Object.keys(pageDelta).length >= 3, `deltas for several tasks: ${JSON.stringify(pageDelta)}`);

    // 5. The CLI's report shows the same deltas.
    const { stdout } = await run(KAOSHI, ["report", A.path, B.path]);
    const cliDelta = {};
    for (const line of stdout.split("\n")) {
      const m = /^\| (\S+) acc \| [^|]+ \| [^|]+ \| ([+-]\d+\.\d{4}) \|$/.exec(line);
      if (m) cliDelta[m[1]] = Number(m[2]);
    }
    const common = Object.keys(pageDelta).filter((t) => t in cliDelta);
    assert.ok(common.length >= 1, `kaoshi report has task rows the page compares:\n${stdout}`);
    for (const t of common) assert.equal(pageDelta[t].toFixed(4), cliDelta[t].toFixed(4), `${t}: page and kaoshi report agree`);
    assert.ok(common.some((t) => cliDelta[t] !== 0) || Object.values(pageDelta).every((d) => d === 0), "a nonzero delta is among those checked");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#compare-table").scrollIntoViewIfNeeded();
    await page.locator("#history").screenshot({ path: join(OUT, "results-views-compare-phone.png") });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling at 390 px (${overflow} px)`);

    // 6. No uncaught page errors.
    assert.deepEqual(errors, [], `no uncaught page errors\n${logs.join("\n")}`);
  } finally {
    await close();
  }
});
