/**
 * The history of runs kept in IndexedDB: view, delete, compare two runs side
 * by side (per task and per subject deltas), and import a CLI results.json.
 */
import { allRuns, deleteRun, putRun, type RunEntry } from "./db";
import { byId, errorText, fmt4, h } from "./dom";
import { t, tr } from "./i18n";
import { layoutProblem, viewOf } from "./results-model";
import { showResults } from "./results";
import { emit, on, state } from "./state";

const picked = new Set<string>();
let runs: RunEntry[] = [];

/** The settings recorded in a results.json's `config`. */
function importedOptions(config: Record<string, unknown> | undefined): RunEntry["options"] {
  const options: RunEntry["options"] = {
    numFewshot: Number(config?.num_fewshot ?? 0),
    chat: config?.chat_template === "auto" ? "auto" : "none",
  };
  if (typeof config?.limit === "number") options.limit = config.limit;
  return options;
}

/** A run as people tell runs apart: model, suites, settings and time to the second. */
function label(r: RunEntry): string {
  const o = r.options;
  const settings = [
    o.mode ?? "",
    `${o.numFewshot}-shot`,
    o.limit === undefined ? "" : `limit ${o.limit}`,
    o.chat === "auto" ? "chat" : "",
  ].filter((x) => x !== "");
  return `${r.model.name} · ${r.suites.join(", ")} · ${settings.join(", ")} · ${r.createdAt.slice(0, 19).replace("T", " ")}`;
}

function delta(a: number | null | undefined, b: number | null | undefined): string {
  if (typeof a !== "number" || typeof b !== "number") return "–";
  const d = b - a;
  return `${d >= 0 ? "+" : ""}${(d * 100).toFixed(2)} pp`;
}

function compare(a: RunEntry, b: RunEntry): HTMLElement {
  const va = viewOf(a.results ?? {});
  const vb = viewOf(b.results ?? {});
  const tasks = [...new Set([...va.tasks, ...vb.tasks].map((x) => x.task))];
  const rows: HTMLElement[] = [];
  for (const task of tasks) {
    const ta = va.tasks.find((x) => x.task === task);
    const tb = vb.tasks.find((x) => x.task === task);
    const accA = ta?.metrics["acc,none"];
    const accB = tb?.metrics["acc,none"];
    rows.push(h("tr", { class: "task-row" }, h("th", { scope: "row" }, task), h("td", {}, fmt4(accA)), h("td", {}, fmt4(accB)), h("td", {}, delta(accA, accB))));
    const subjects = [...new Set([...Object.keys(ta?.subjects ?? {}), ...Object.keys(tb?.subjects ?? {})])].sort();
    for (const s of subjects) {
      const sa = ta?.subjects[s]?.acc;
      const sb = tb?.subjects[s]?.acc;
      rows.push(h("tr", {}, h("th", { scope: "row", class: "sub" }, `  ${s}`), h("td", {}, fmt4(sa)), h("td", {}, fmt4(sb)), h("td", {}, delta(sa, sb))));
    }
  }
  return h(
    "table",
    { class: "results-table", id: "compare-table" },
    h("caption", { i18n: "hist.compareCaption", vars: { a: label(a), b: label(b) } }),
    h("thead", {}, h("tr", {}, h("th", { i18n: "res.task" }), h("th", {}, "A"), h("th", {}, "B"), h("th", { i18n: "hist.delta" }))),
    h("tbody", {}, ...rows),
  );
}

async function render(): Promise<void> {
  runs = await allRuns().catch(() => []);
  const list = byId("history-list");
  list.replaceChildren();
  if (runs.length === 0) list.append(h("li", { class: "muted", i18n: "hist.empty" }));
  for (const r of runs) {
    const id = `cmp-${r.id}`;
    list.append(
      h(
        "li",
        { "data-run": r.id },
        h("input", {
          type: "checkbox",
          id,
          checked: picked.has(r.id),
          disabled: r.results === null,
          onchange: (ev: Event) => {
            if ((ev.target as HTMLInputElement).checked) picked.add(r.id);
            else picked.delete(r.id);
            renderCompare();
          },
        }),
        h("label", { for: id }, label(r)),
        h("span", { class: `status ${r.status}`, i18n: `status.${r.status}` }),
        h("button", { type: "button", class: "secondary", i18n: "hist.view", disabled: r.results === null, onclick: () => { showResults(r); byId("results").scrollIntoView(); } }),
        h("button", { type: "button", class: "secondary", i18n: "hist.delete", onclick: async () => { picked.delete(r.id); await deleteRun(r.id); await render(); } }),
      ),
    );
  }
  renderCompare();
}

function renderCompare(): void {
  const box = byId("compare-body");
  box.replaceChildren();
  const chosen = runs.filter((r) => picked.has(r.id) && r.results !== null);
  if (chosen.length !== 2) {
    box.append(h("p", { class: "muted", i18n: "hist.pickTwo" }));
    return;
  }
  // Older first: A is the earlier run.
  const [a, b] = chosen.sort((x, y) => x.createdAt.localeCompare(y.createdAt)) as [RunEntry, RunEntry];
  box.append(compare(a, b));
}

async function importFile(file: File): Promise<void> {
  const msg = byId("import-message");
  try {
    const doc: unknown = JSON.parse(await file.text());
    const problem = layoutProblem(doc);
    if (problem !== null) throw new Error(problem);
    const d = doc as Record<string, any>;
    const view = viewOf(d);
    const now = new Date().toISOString();
    const run: RunEntry = {
      id: `import-${Date.now().toString(36)}`,
      createdAt: typeof d.provenance?.date === "string" ? d.provenance.date : now,
      updatedAt: now,
      status: "imported",
      model: { name: String(view.model ?? file.name).split("/").pop()!, sha256: String(view.modelSha256 ?? ""), size: 0 },
      backend: String(d.provenance?.backend ?? ""),
      suites: view.tasks.map((x) => x.task),
      options: importedOptions(d.config),
      outcomes: [],
      results: d,
    };
    await putRun(run);
    msg.className = "message info";
    tr(msg, "hist.imported", { name: file.name, n: view.tasks.length });
    await render();
    showResults(run);
  } catch (e) {
    msg.className = "message error";
    tr(msg, "hist.importFailed", { name: file.name, error: errorText(e) });
  }
}

export function mountHistory(): void {
  const input = byId<HTMLInputElement>("import-file");
  input.addEventListener("change", () => {
    const f = input.files?.[0];
    if (f) void importFile(f);
    input.value = "";
  });
  on("history", () => void render());
  on("run", () => {
    if (state.run?.status === "done") showResults(state.run);
  });
  void render();
  emit("history");
  void t;
}
