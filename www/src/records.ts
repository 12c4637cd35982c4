/**
 * Sample records for people and files: the gold answer as text, the samples
 * JSONL (one record per line, as the CLI's samples_<task>.jsonl) and the
 * CSV (one row per sample).
 */
import type { SampleRecord } from "./engine-api";

const letter = (i: number): string => String.fromCharCode(65 + i);

/** The record's `gold` (serde's externally tagged `Answer`) as text: "B", "AC", "42", the text, or "". */
export function goldText(gold: unknown): string {
  if (gold === null || gold === undefined || gold === "none") return "";
  if (typeof gold === "object") {
    const g = gold as Record<string, unknown>;
    if (typeof g.choice === "number") return letter(g.choice);
    if (Array.isArray(g.choices)) return g.choices.map((i) => letter(Number(i))).join("");
    if ("number" in g) return String(g.number);
    if ("text" in g) return String(g.text);
  }
  return typeof gold === "string" ? gold : JSON.stringify(gold);
}

export function toJsonl(records: SampleRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join("\n") + (records.length ? "\n" : "");
}

const CSV_COLUMNS = ["task", "doc_id", "subject", "mode", "prediction", "gold", "correct", "prediction_norm", "correct_norm", "credit", "nll", "n_tokens", "n_bytes", "fields"] as const;

function cell(v: unknown): string {
  const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header row. */
export function toCsv(records: SampleRecord[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of records) {
    lines.push(CSV_COLUMNS.map((c) => cell(c === "gold" ? goldText(r.gold) : r[c])).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
