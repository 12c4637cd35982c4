/**
 * The Results section for one run (the one just finished, or one picked in
 * the history): tables per task, group, subject and breakdown field with
 * standard errors; bar, radar and grade charts; exports (results.json,
 * samples JSONL per task, CSV).
 */
import { journal, type RunEntry } from "./db";
import { byId, fmt4, h, saveFile } from "./dom";
import { t } from "./i18n";
import { barChart, lineChart, radarChart } from "./charts";
import { accStderr, viewOf, type TaskView } from "./results-model";
import { toCsv, toJsonl } from "./records";
import type { SampleRecord } from "./engine-api";

let shown: RunEntry | null = null;

function th(key: string): HTMLElement {
  return h("th", { scope: "col", i18n: key });
}

/** Metrics the columns do not show (chrF and BLEU, bias scores, risk-level shares, ...), as "name value; ...". */
const SHOWN = new Set(["acc,none", "acc_stderr,none", "acc_macro,none", "acc_norm,none", "bits_per_byte,none"]);
function otherMetrics(metrics: Record<string, number | null | undefined>): string {
  const parts = Object.entries(metrics)
    .filter(([k, v]) => !SHOWN.has(k) && !k.includes("stderr") && typeof v === "number" && Number.isFinite(v))
    .map(([k, v]) => `${k.replace(/,none$/, "")} ${fmt4(v)}`);
  return parts.length === 0 ? "–" : parts.join("; ");
}

function taskTable(tasks: TaskView[]): HTMLElement {
  return h(
    "table",
    { class: "results-table", id: "results-tasks" },
    h("thead", {}, h("tr", {}, th("res.task"), th("res.mode"), th("res.shots"), th("res.n"), th("res.acc"), th("res.stderr"), th("res.macro"), th("res.accNorm"), th("res.bpb"), th("res.other"))),
    h(
      "tbody",
      {},
      ...tasks.map((v) =>
        h(
          "tr",
          { "data-task": v.task },
          h("th", { scope: "row" }, v.task),
          h("td", {}, v.mode),
          h("td", {}, v.shots ?? "–"),
          h("td", {}, v.n ?? "–"),
          h("td", {}, fmt4(v.metrics["acc,none"])),
          h("td", {}, fmt4(v.metrics["acc_stderr,none"])),
          h("td", {}, fmt4(v.metrics["acc_macro,none"])),
          h("td", {}, fmt4(v.metrics["acc_norm,none"])),
          h("td", {}, fmt4(v.metrics["bits_per_byte,none"])),
          h("td", { class: "other-metrics" }, otherMetrics(v.metrics)),
        ),
      ),
    ),
  );
}

function scoreTable(caption: string, rows: Array<[string, { n: number; acc: number }]>): HTMLElement {
  return h(
    "table",
    { class: "results-table" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, th("res.name"), th("res.n"), th("res.acc"), th("res.stderrComputed"))),
    h("tbody", {}, ...rows.map(([name, g]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, Number.isFinite(g.n) ? g.n : "–"), h("td", {}, fmt4(g.acc)), h("td", {}, fmt4(accStderr(g.acc, g.n)))))),
  );
}

function gradeOrder(a: string, b: string): number {
  const na = Number.parseFloat(a.replace(/[^\d.]/g, ""));
  const nb = Number.parseFloat(b.replace(/[^\d.]/g, ""));
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

async function records(run: RunEntry): Promise<SampleRecord[]> {
  return (await journal(run.id)).map((r) => r.record);
}

function exports(run: RunEntry, tasks: TaskView[]): HTMLElement {
  const box = h("div", { class: "row exports" });
  const stem = `kaoshi-${run.model.name.replace(/\.gguf$/i, "")}-${run.createdAt.slice(0, 10)}`;
  box.append(h("button", { type: "button", id: "export-results", i18n: "res.exportJson", onclick: () => saveFile("results.json", JSON.stringify(run.results, null, 2) + "\n", "application/json") }));
  if (run.status !== "imported") {
    for (const v of tasks) {
      box.append(
        h("button", {
          type: "button",
          class: "secondary export-jsonl",
          "data-task": v.task,
          i18n: "res.exportJsonl",
          vars: { task: v.task },
          onclick: async () => saveFile(`samples_${v.task}.jsonl`, toJsonl((await records(run)).filter((r) => r.task === v.task)), "application/x-ndjson"),
        }),
      );
    }
    box.append(h("button", { type: "button", class: "secondary", id: "export-csv", i18n: "res.exportCsv", onclick: async () => saveFile(`${stem}.csv`, toCsv(await records(run)), "text/csv") }));
  }
  return box;
}

/** Shows `run`'s results (null: the empty state). */
export function showResults(run: RunEntry | null): void {
  shown = run;
  const box = byId("results-body");
  box.replaceChildren();
  if (run === null || run.results === null) {
    box.append(h("p", { class: "muted", i18n: "res.none" }));
    return;
  }
  const view = viewOf(run.results);
  box.append(
    h("p", { class: "muted", i18n: "res.about", vars: { model: run.model.name, sha: run.model.sha256.slice(0, 16), date: run.createdAt.slice(0, 16).replace("T", " "), status: t(`status.${run.status}`) } }),
    exports(run, view.tasks),
    taskTable(view.tasks),
  );
  const groups = Object.entries(view.groups);
  if (groups.length > 0) {
    box.append(h("h3", { i18n: "res.groups" }), scoreTable(t("res.groups"), groups.map(([g, acc]) => [g, { n: NaN, acc }])));
    box.append(radarChart(groups.map(([g, acc]) => ({ label: g.replace(/^openeval-/, ""), value: acc })), t("res.radarTitle")));
  }
  for (const v of view.tasks) {
    const subjects = Object.entries(v.subjects);
    if (subjects.length > 0) {
      box.append(h("h3", { i18n: "res.bySubject", vars: { task: v.task } }));
      box.append(h("div", { class: "chart-box" }, barChart(subjects.map(([label, g]) => ({ label, value: g.acc, n: g.n })), t("res.bySubject", { task: v.task }))));
      box.append(h("details", {}, h("summary", { i18n: "res.table" }), scoreTable(t("res.bySubject", { task: v.task }), subjects)));
    }
    for (const [field, values] of Object.entries(v.fields)) {
      const rows = Object.entries(values).sort(([a], [b]) => (field === "grade" ? gradeOrder(a, b) : a.localeCompare(b)));
      box.append(h("h3", { i18n: "res.byField", vars: { task: v.task, field } }), scoreTable(t("res.byField", { task: v.task, field }), rows));
      if (field === "grade") box.append(h("div", { class: "chart-box" }, lineChart(rows.map(([label, g]) => ({ label, value: g.acc, n: g.n })), t("res.byField", { task: v.task, field }))));
    }
  }
}

export function rerenderResults(): void {
  showResults(shown);
}
