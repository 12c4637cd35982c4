/**
 * The site's IndexedDB ("kaoshi-site"): suite files kept in the browser
 * (`files`, key "suite/relPath"), runs and imported results (`runs`), and
 * every finished item of a run (`journal`, key [runId, seq]) so that a run
 * survives a reload.
 */
import type { SampleRecord, TaskOutcome, Mode } from "./engine-api";

export interface StoredFile {
  key: string;
  suite: string;
  relPath: string;
  bytes: ArrayBuffer;
  sha256: string;
  /** "download" | "local" | "mirror" */
  source: string;
  /** Whether the bytes hash to the catalog's pin. */
  pinned: boolean;
}

export interface RunOptionsStored {
  mode?: Mode;
  numFewshot: number;
  limit?: number;
  chat: "auto" | "none";
}

export type RunStatus = "running" | "paused" | "done" | "cancelled" | "failed" | "imported";

export interface RunEntry {
  id: string;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  model: { name: string; sha256: string; size: number };
  backend: string;
  suites: string[];
  options: RunOptionsStored;
  outcomes: TaskOutcome[];
  /** The CLI's results.json (from the engine, or imported). */
  results: Record<string, unknown> | null;
  error?: string;
}

export interface JournalRow {
  runId: string;
  seq: number;
  suite: string;
  record: SampleRecord;
}

let opened: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((ok, fail) => {
    const req = indexedDB.open("kaoshi-site", 1);
    req.onupgradeneeded = () => {
      const d = req.result;
      d.createObjectStore("files", { keyPath: "key" }).createIndex("suite", "suite");
      d.createObjectStore("runs", { keyPath: "id" });
      d.createObjectStore("journal", { keyPath: ["runId", "seq"] }).createIndex("runId", "runId");
    };
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
  return opened;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((ok, fail) => {
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
}

async function store(name: string, mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await db()).transaction(name, mode).objectStore(name);
}

export async function putFile(f: StoredFile): Promise<void> {
  await done((await store("files", "readwrite")).put(f));
}

export async function suiteFiles(suite: string): Promise<StoredFile[]> {
  return done((await store("files", "readonly")).index("suite").getAll(suite) as IDBRequest<StoredFile[]>);
}

export async function removeSuiteFiles(suite: string): Promise<void> {
  const s = await store("files", "readwrite");
  const keys = await done(s.index("suite").getAllKeys(suite));
  await Promise.all(keys.map((k) => done(s.delete(k))));
}

export async function putRun(run: RunEntry): Promise<void> {
  run.updatedAt = new Date().toISOString();
  await done((await store("runs", "readwrite")).put(structuredClone(run)));
}

export async function getRun(id: string): Promise<RunEntry | undefined> {
  return done((await store("runs", "readonly")).get(id) as IDBRequest<RunEntry | undefined>);
}

export async function allRuns(): Promise<RunEntry[]> {
  const runs = await done((await store("runs", "readonly")).getAll() as IDBRequest<RunEntry[]>);
  return runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function deleteRun(id: string): Promise<void> {
  await done((await store("runs", "readwrite")).delete(id));
  await clearJournal(id);
}

export async function appendJournal(row: JournalRow): Promise<void> {
  await done((await store("journal", "readwrite")).put(row));
}

/** The run's journal rows in the order they finished. */
export async function journal(runId: string): Promise<JournalRow[]> {
  const rows = await done((await store("journal", "readonly")).index("runId").getAll(runId) as IDBRequest<JournalRow[]>);
  return rows.sort((a, b) => a.seq - b.seq);
}

export async function clearJournal(runId: string): Promise<void> {
  const s = await store("journal", "readwrite");
  await done(s.delete(IDBKeyRange.bound([runId, -Infinity], [runId, Infinity])));
}
