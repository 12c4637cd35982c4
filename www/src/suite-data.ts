/**
 * A suite's data files in the browser: downloaded from the catalog's
 * published URLs (each checked against its sha256), picked from local
 * files (matched to the catalog's relPaths by suffix), or fetched from a
 * data mirror (`${base}/${suite}/${relPath}`); all kept in IndexedDB so that
 * a resumed run finds them again.
 */
import { sha256Hex } from "kaoshi";
import { putFile, suiteFiles, type StoredFile } from "./db";
import type { SuiteEntry } from "./engine-api";
import { fetchBytes } from "./fetch";

export class DataIntegrityError extends Error {
  override name = "IntegrityError";
}

/** The catalog relPath a picked file stands for: the longest relPath its path ends with. */
export function matchRelPath(path: string, relPaths: string[]): string | null {
  const p = path.replace(/\\/g, "/");
  let best: string | null = null;
  for (const r of relPaths) {
    if ((p === r || p.endsWith(`/${r}`)) && (best === null || r.length > best.length)) best = r;
  }
  return best;
}

async function keep(suite: SuiteEntry, relPath: string, bytes: Uint8Array, source: string): Promise<StoredFile> {
  const sha256 = await sha256Hex(bytes);
  const pin = suite.source?.files.find((f) => f.relPath === relPath)?.sha256;
  const f: StoredFile = {
    key: `${suite.name}/${relPath}`,
    suite: suite.name,
    relPath,
    bytes: bytes.slice().buffer,
    sha256,
    source,
    pinned: pin === sha256,
  };
  await putFile(f);
  return f;
}

type Progress = (done: number, total: number, relPath: string) => void;

/** Downloads every published file of `suite`, rejecting on the first whose sha256 is not its pin. */
export async function downloadSuite(suite: SuiteEntry, progress?: Progress): Promise<number> {
  const files = suite.source?.files ?? [];
  let n = 0;
  for (const f of files) {
    progress?.(n, files.length, f.relPath);
    const bytes = await fetchBytes(f.url);
    const got = await sha256Hex(bytes);
    if (got !== f.sha256) throw new DataIntegrityError(`${f.relPath}: sha256 ${got} is not the published ${f.sha256}`);
    await keep(suite, f.relPath, bytes, "download");
    n += 1;
  }
  progress?.(n, files.length, "");
  return n;
}

/** Stores the picked files that match one of `suite`'s relPaths; resolves with [matched, ignored]. */
export async function pickLocal(suite: SuiteEntry, files: FileList | File[]): Promise<[number, number]> {
  const rels = suite.source?.files.map((f) => f.relPath) ?? [];
  let matched = 0;
  let ignored = 0;
  for (const file of Array.from(files)) {
    const rel = matchRelPath(file.webkitRelativePath || file.name, rels);
    if (rel === null) {
      ignored += 1;
      continue;
    }
    await keep(suite, rel, new Uint8Array(await file.arrayBuffer()), "local");
    matched += 1;
  }
  return [matched, ignored];
}

/** Fetches every file of `suite` from the mirror `base` (no pin check: a mirror may hold edited copies). */
export async function fetchMirror(suite: SuiteEntry, base: string, progress?: Progress): Promise<number> {
  const files = suite.source?.files ?? [];
  const root = base.replace(/\/+$/, "");
  let n = 0;
  for (const f of files) {
    progress?.(n, files.length, f.relPath);
    const bytes = await fetchBytes(`${root}/${encodeURIComponent(suite.name)}/${f.relPath.split("/").map(encodeURIComponent).join("/")}`);
    await keep(suite, f.relPath, bytes, "mirror");
    n += 1;
  }
  progress?.(n, files.length, "");
  return n;
}

/** The stored files of `suite` as runSuite's `files` (relPath -> bytes). */
export async function filesForRun(suite: string): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const f of await suiteFiles(suite)) out[f.relPath] = new Uint8Array(f.bytes);
  return out;
}
