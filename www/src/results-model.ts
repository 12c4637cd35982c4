/**
 * Reading the CLI's results.json layout (crates/harness/src/results.rs
 * `results_json`): per task metrics, subjects and breakdown fields, group
 * scores; and checking that an imported file has that layout.
 */
import type { GroupScore } from "./engine-api";

type Json = Record<string, any>;

export interface TaskView {
  task: string;
  mode: string;
  shots: number | null;
  n: number | null;
  metrics: Record<string, number | null>;
  subjects: Record<string, GroupScore>;
  fields: Record<string, Record<string, GroupScore>>;
}

export interface ResultsView {
  tasks: TaskView[];
  groups: Record<string, number>;
  modelSha256: string | null;
  model: string | null;
}

/** Binomial standard error of a mean accuracy over n items, sqrt(p(1-p)/(n-1)) (lm-evaluation-harness's sample stderr). */
export function accStderr(acc: number, n: number): number | null {
  return n > 1 ? Math.sqrt((acc * (1 - acc)) / (n - 1)) : null;
}

export function viewOf(results: Json): ResultsView {
  const tasks: TaskView[] = [];
  for (const [task, entry] of Object.entries<Json>(results.results ?? {})) {
    if (task.includes(":")) continue;
    const metrics: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(entry)) if (k.includes(",")) metrics[k] = typeof v === "number" ? v : null;
    const br = results.breakdowns?.[task] ?? {};
    tasks.push({
      task,
      mode: String(results.configs?.[task]?.output_type ?? ""),
      shots: results.configs?.[task]?.num_fewshot ?? null,
      n: results["n-samples"]?.[task]?.effective ?? null,
      metrics,
      subjects: br.subjects ?? {},
      fields: br.fields ?? {},
    });
  }
  const groups: Record<string, number> = {};
  for (const [g, v] of Object.entries<Json>(results.groups ?? {})) {
    const acc = v["acc_macro_over_tasks,none"];
    if (typeof acc === "number") groups[g] = acc;
  }
  return {
    tasks,
    groups,
    modelSha256: results.provenance?.model_sha256 ?? results.config?.model_sha256 ?? null,
    model: results.provenance?.model ?? results.config?.model ?? null,
  };
}

/** Why `doc` is not a CLI results.json, or null when it has the layout. */
export function layoutProblem(doc: unknown): string | null {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return "not a JSON object";
  const d = doc as Json;
  for (const k of ["results", "configs", "n-samples"]) if (typeof d[k] !== "object" || d[k] === null) return `no "${k}" object`;
  const tasks = Object.keys(d.results).filter((k) => !k.includes(":"));
  if (tasks.length === 0) return `"results" names no task`;
  for (const task of tasks) if (!(task in d.configs)) return `"configs" lacks task ${task}`;
  return null;
}
