/**
 * The Run section: starts a run over the selected suites, shows progress
 * (items/s, ETA) and the last 20 items, pauses (aborts the current runSuite
 * call; the journal stays), resumes (runSuite again with done = the journal)
 * and cancels. Every finished item is journaled in IndexedDB, so a run left
 * by a reload is offered for resume when the page opens again.
 */
import { appendJournal, allRuns, journal, putRun, type RunEntry } from "./db";
import { byId, errorText, fmtDuration, h } from "./dom";
import { resultsJson, runSuite, type SampleRecord } from "./engine-api";
import { t, tr } from "./i18n";
import { useCached } from "./model";
import { goldText } from "./records";
import { fetchMirror, filesForRun } from "./suite-data";
import { mirrorBase, runOptions, selectedSuites } from "./suites";
import { suiteFiles } from "./db";
import { emit, on, state } from "./state";

let controller: AbortController | null = null;
let cancelling = false;
const LOG_SIZE = 20;

function message(key: string, vars?: Record<string, unknown>, kind = "info"): void {
  const el = byId("run-message");
  el.className = `message ${kind}`;
  tr(el, key, vars);
}

function buttons(): void {
  const s = state.runState;
  const ready = state.modelState === "ready" && state.catalog !== null;
  byId<HTMLButtonElement>("run-start").disabled = s === "running" || !ready;
  byId<HTMLButtonElement>("run-pause").disabled = s !== "running";
  byId<HTMLButtonElement>("run-resume").disabled = s !== "paused";
  byId<HTMLButtonElement>("run-cancel").disabled = s !== "running" && s !== "paused";
}

function renderProgress(): void {
  const p = state.progress;
  const bar = byId<HTMLProgressElement>("run-progress");
  bar.max = Math.max(1, p.total);
  bar.value = p.done;
  tr(byId("run-progress-text"), "run.progress", {
    suite: p.suite || "–",
    done: p.done,
    total: p.total || "?",
    rate: p.itemsPerSecond.toFixed(2),
    eta: p.etaSeconds === null ? "–" : fmtDuration(p.etaSeconds),
  });
}

function excerpt(s: string, n: number): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > n ? `…${flat.slice(flat.length - n)}` : flat;
}

function renderLog(): void {
  const body = byId("run-log");
  body.replaceChildren(
    ...state.log
      .slice()
      .reverse()
      .map((r) =>
        h(
          "tr",
          {},
          h("td", {}, `${r.task}/${r.doc_id}`),
          h("td", { class: "prompt" }, excerpt(r.prompt, 90)),
          h("td", {}, excerpt(r.choices.join(" | "), 60)),
          h("td", {}, r.prediction ?? "∅"),
          h("td", {}, goldText(r.gold)),
          h("td", { class: r.correct ? "ok" : "bad" }, r.correct === null ? "–" : r.correct ? "✓" : "✗"),
        ),
      ),
  );
}

async function prepareData(run: RunEntry): Promise<void> {
  const base = mirrorBase();
  for (const name of run.suites) {
    const suite = state.catalog?.suites.find((s) => s.name === name);
    if (!suite || suite.source === null) continue;
    if (base !== "") {
      message("run.fetchingMirror", { suite: name });
      await fetchMirror(suite, base, (d, total) => message("run.fetchingMirrorN", { suite: name, done: d, total }));
    } else if ((await suiteFiles(name)).length === 0) {
      const e = new Error(t("run.noData", { suite: name }));
      e.name = "DataMissing";
      throw e;
    }
  }
}

/** Runs (or continues) `run`: each suite not finished yet, with the journal as `done`. */
async function execute(run: RunEntry): Promise<void> {
  const engine = state.engine;
  if (engine === null) return;
  state.run = run;
  state.runState = "running";
  state.runError = null;
  cancelling = false;
  controller = new AbortController();
  const signal = controller.signal;
  run.status = "running";
  await putRun(run);
  buttons();
  emit("run");
  try {
    const rows = await journal(run.id);
    let seq = rows.reduce((m, r) => Math.max(m, r.seq), -1) + 1;
    for (const suite of run.suites) {
      if (run.outcomes.some((o) => o.task === suite)) continue;
      const done = rows.filter((r) => r.suite === suite).map((r) => r.record);
      const entry = state.catalog?.suites.find((s) => s.name === suite);
      const files = entry?.source ? await filesForRun(suite) : undefined;
      message("run.running", { suite, resumed: done.length });
      const started = performance.now();
      let here = 0;
      const writes: Promise<void>[] = [];
      state.progress = { suite, done: done.length, total: 0, itemsPerSecond: 0, etaSeconds: null };
      renderProgress();
      const req: Parameters<typeof runSuite>[1] = { suite, numFewshot: run.options.numFewshot, chat: run.options.chat, done };
      if (files) req.files = files;
      if (run.options.mode) req.mode = run.options.mode;
      if (run.options.limit) req.limit = run.options.limit;
      const outcome = await runSuite(engine, req, {
        signal,
        onRecord: (record: SampleRecord, d: number, total: number) => {
          writes.push(appendJournal({ runId: run.id, seq: seq++, suite, record }));
          here += 1;
          state.recordsThisPage += 1;
          const secs = (performance.now() - started) / 1000;
          const rate = secs > 0 ? here / secs : 0;
          state.progress = { suite, done: d, total, itemsPerSecond: rate, etaSeconds: rate > 0 ? (total - d) / rate : null };
          state.log.push(record);
          if (state.log.length > LOG_SIZE) state.log.shift();
          renderProgress();
          renderLog();
        },
      });
      await Promise.all(writes);
      run.outcomes.push(outcome);
      await putRun(run);
    }
    const opts = run.options;
    const meta: Parameters<typeof resultsJson>[2] = { model: run.model.name, modelSha256: run.model.sha256, numFewshot: opts.numFewshot, chat: opts.chat };
    if (opts.limit) meta.limit = opts.limit;
    if (opts.mode) meta.mode = opts.mode;
    run.results = await resultsJson(engine, run.outcomes, meta);
    run.status = "done";
    state.runState = "done";
    message("run.done", { n: run.outcomes.reduce((a, o) => a + o.n_effective, 0) });
  } catch (e) {
    if ((e as Error)?.name === "AbortError") {
      run.status = cancelling ? "cancelled" : "paused";
      state.runState = cancelling ? "cancelled" : "paused";
      message(cancelling ? "run.cancelled" : "run.paused");
    } else {
      run.status = "failed";
      run.error = errorText(e);
      state.runState = "error";
      state.runError = errorText(e);
      message("run.failed", { error: errorText(e) }, "error");
    }
  } finally {
    controller = null;
    await putRun(run);
    buttons();
    emit("run");
    emit("history");
  }
}

async function start(): Promise<void> {
  const suites = selectedSuites();
  if (state.engine === null || state.model === null || state.info === null) return message("run.noModel", undefined, "error");
  if (suites.length === 0) return message("run.noSuites", undefined, "error");
  const now = new Date().toISOString();
  const run: RunEntry = {
    id: `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    createdAt: now,
    updatedAt: now,
    status: "running",
    model: { ...state.model },
    backend: state.info.backend,
    suites,
    options: runOptions(),
    outcomes: [],
    results: null,
  };
  state.log = [];
  state.runState = "running";
  buttons();
  try {
    await prepareData(run);
  } catch (e) {
    state.runState = "error";
    state.runError = errorText(e);
    message("run.failed", { error: errorText(e) }, "error");
    buttons();
    return;
  }
  await execute(run);
}

/** Continues `run` (from the banner or the Resume button), loading its model from the cache first. */
async function resume(run: RunEntry): Promise<void> {
  byId("resume-banner").hidden = true;
  if (state.model?.sha256 !== run.model.sha256 || state.engine === null) {
    message("run.loadingModel", { name: run.model.name });
    if (!(await useCached(run.model.sha256))) return message("run.modelMissing", { name: run.model.name }, "error");
  }
  await execute(run);
}

async function offerResume(): Promise<void> {
  const pending = (await allRuns()).find((r) => r.status === "running" || r.status === "paused");
  const banner = byId("resume-banner");
  if (!pending) {
    banner.hidden = true;
    return;
  }
  const rows = await journal(pending.id);
  banner.replaceChildren(
    h("p", { i18n: "run.unfinished", vars: { suites: pending.suites.join(", "), model: pending.model.name, n: rows.length, date: pending.createdAt.slice(0, 16).replace("T", " ") } }),
    h("div", { class: "row" }, h("button", { type: "button", id: "resume-run", i18n: "run.resume", onclick: () => void resume(pending) }), h("button", {
      type: "button",
      class: "secondary",
      id: "discard-run",
      i18n: "run.discard",
      onclick: async () => {
        pending.status = "cancelled";
        await putRun(pending);
        banner.hidden = true;
        emit("history");
      },
    })),
  );
  banner.hidden = false;
  state.run = pending;
}

export function mountRun(): void {
  byId("run-start").addEventListener("click", () => void start());
  byId("run-pause").addEventListener("click", () => controller?.abort());
  byId("run-resume").addEventListener("click", () => state.run && void resume(state.run));
  byId("run-cancel").addEventListener("click", async () => {
    cancelling = true;
    if (controller) controller.abort();
    else if (state.run && state.runState === "paused") {
      state.run.status = "cancelled";
      state.runState = "cancelled";
      await putRun(state.run);
      message("run.cancelled");
      buttons();
      emit("history");
    }
  });
  on("model", buttons);
  on("catalog", buttons);
  buttons();
  renderProgress();
  void offerResume();
}
