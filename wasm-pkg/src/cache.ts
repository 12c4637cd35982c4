/**
 * A cache of model files in the Origin Private File System (OPFS): one file
 * per model in a `kaoshi-models` folder, named by the hex SHA-256 of its
 * bytes, and a small JSON index (`index.json` in the same folder) with each
 * entry's name, size, sha256 and when it was stored.
 *
 * Memory: `put` of a `Blob` (a picked `File`, a downloaded response's blob)
 * and `getFile` hash in 8 MiB slices with the wasm module's incremental
 * SHA-256 and hand the browser the `Blob` or `File` itself, so a model of any
 * size is stored and checked without being in memory; give `getFile`'s
 * `File` to `WorkerEngine`, which reads it tensor by tensor. `put` of bytes
 * and `get` (bytes) hash the whole buffer with `crypto.subtle.digest`, which
 * has no streaming interface: they hold the model in memory once.
 *
 * Errors are `Error`s whose `name` is `StorageUnavailableError` (no OPFS, no
 * `crypto.subtle`, or the browser refused the folder, e.g. outside a secure
 * context or in some private modes) or `IntegrityError` (`get` found bytes
 * whose hash is not their name; the entry is deleted first).
 */

/** One cached model, as the index records it. */
export interface CachedModel {
  /** A label for people (the URL's last path segment, a file name, ...). */
  name: string;
  /** Bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the bytes; the file's name in the folder. */
  sha256: string;
  /** When it was stored, ISO 8601. */
  storedAt: string;
  /**
   * Whether `navigator.storage.persist()` was granted when this entry was
   * stored; `null` when it was not asked (files up to
   * {@link ModelCacheOptions.persistAboveBytes}).
   */
  persisted: boolean | null;
}

/** What `navigator.storage.estimate()` says, plus `persisted()`. */
export interface CacheUsage {
  /** Bytes this origin uses (all of its storage, not only the cache). */
  usage: number | null;
  /** Bytes this origin may use. */
  quota: number | null;
  /** Whether this origin's storage is persistent (`navigator.storage.persisted()`). */
  persisted: boolean | null;
}

export interface ModelCacheOptions {
  /** Where the wasm module comes from, for the incremental SHA-256 (see {@link initWasm}). */
  wasm?: WasmSource;
  /** The OPFS folder (default `kaoshi-models`). */
  directory?: string;
  /** `put` asks for persistent storage for files larger than this (default 100 MiB). */
  persistAboveBytes?: number;
  /** The `StorageManager` to use (default `navigator.storage`). */
  storage?: StorageManager;
}

import { Sha256 } from "./wasm/kaoshi_wasm.js";
import type { WasmSource } from "./protocol.js";
import { initWasm } from "./wasm.js";

const INDEX = "index.json";
/** Slice size for hashing Blobs. */
const HASH_SLICE = 8 * 1024 * 1024;

/** Lower-case hex SHA-256 of a Blob, read in slices (the wasm module's incremental hash). */
export async function sha256Blob(blob: Blob, wasm?: WasmSource): Promise<string> {
  await initWasm(wasm);
  const hash = new Sha256();
  try {
    for (let at = 0; at < blob.size; at += HASH_SLICE) {
      hash.update(new Uint8Array(await blob.slice(at, at + HASH_SLICE).arrayBuffer()));
    }
    return hash.finish();
  } finally {
    hash.free();
  }
}
const HEX64 = /^[0-9a-f]{64}$/;

function kaoshiError(name: string, message: string, cause?: unknown): Error {
  const e = new Error(message, cause === undefined ? undefined : { cause });
  e.name = name;
  return e;
}

/** Lower-case hex SHA-256 of `bytes` (`crypto.subtle`; whole buffer in memory). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw kaoshiError("StorageUnavailableError", "crypto.subtle is unavailable (not a secure context?)");
  }
  const digest = new Uint8Array(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function checkSha(sha256: string): string {
  if (typeof sha256 !== "string" || !HEX64.test(sha256)) {
    throw new TypeError(`not a lower-case hex SHA-256: ${String(sha256)}`);
  }
  return sha256;
}

/** Model files in OPFS, by SHA-256, with an integrity check on every `get`. */
export class ModelCache {
  readonly directory: string;
  readonly persistAboveBytes: number;
  readonly #storage: StorageManager | undefined;
  readonly #wasm: WasmSource | undefined;
  #dir: Promise<FileSystemDirectoryHandle> | null = null;
  /** Index updates, one after another (read-modify-write of index.json). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ModelCacheOptions = {}) {
    this.directory = options.directory ?? "kaoshi-models";
    this.persistAboveBytes = options.persistAboveBytes ?? 100 * 1024 * 1024;
    this.#storage = options.storage ?? (globalThis.navigator as Navigator | undefined)?.storage;
    this.#wasm = options.wasm;
  }

  /** Whether this environment has OPFS at all (it may still refuse access). */
  static isAvailable(): boolean {
    return typeof (globalThis.navigator as Navigator | undefined)?.storage?.getDirectory === "function";
  }

  /**
   * Stores `bytes` under their SHA-256 and records it in the index; resolves
   * with the entry. Storing bytes that are already cached rewrites the file
   * and the entry (new name and time). Asks for persistent storage when the
   * file is larger than {@link persistAboveBytes}.
   */
  async put(bytes: Uint8Array | Blob, name?: string): Promise<CachedModel> {
    // A Blob is hashed in slices and written as a Blob: never whole in memory.
    const data: Uint8Array | Blob = bytes;
    const sha256 = data instanceof Blob ? await sha256Blob(data, this.#wasm) : await sha256Hex(data);
    const dir = await this.#folder();
    try {
      const handle = await dir.getFileHandle(sha256, { create: true });
      if (typeof handle.createWritable !== "function") {
        throw kaoshiError("StorageUnavailableError", "this browser's OPFS has no createWritable (use a worker?)");
      }
      const writable = await handle.createWritable();
      try {
        await writable.write(data as Uint8Array<ArrayBuffer> | Blob);
        await writable.close();
      } catch (e) {
        await writable.abort().catch(() => {});
        throw e;
      }
    } catch (e) {
      throw this.#wrap(e, `could not write ${sha256}`);
    }
    let persisted: boolean | null = null;
    const size = data instanceof Blob ? data.size : data.byteLength;
    if (size > this.persistAboveBytes && this.#storage?.persist !== undefined) {
      persisted = await this.#storage.persist().catch(() => false);
    }
    const entry: CachedModel = {
      name: name ?? sha256.slice(0, 12),
      size,
      sha256,
      storedAt: new Date().toISOString(),
      persisted,
    };
    await this.#update((index) => [...index.filter((m) => m.sha256 !== sha256), entry]);
    return entry;
  }

  /**
   * The bytes stored under `sha256`, after hashing them again; `null` when
   * nothing is stored under it. A hash mismatch deletes the entry and
   * rejects with an `IntegrityError`.
   */
  async get(sha256: string): Promise<Uint8Array | null> {
    const file = await this.#open(sha256);
    if (file === null) return null;
    const bytes = new Uint8Array(await file.arrayBuffer());
    await this.#check(sha256, await sha256Hex(bytes));
    return bytes;
  }

  /**
   * The file stored under `sha256` as a `File` (not read into memory), after
   * hashing it again in slices; `null` when nothing is stored under it. A
   * hash mismatch deletes the entry and rejects with an `IntegrityError`.
   * Give it to `WorkerEngine.spawn`, which reads it tensor by tensor.
   */
  async getFile(sha256: string): Promise<File | null> {
    const file = await this.#open(sha256);
    if (file === null) return null;
    await this.#check(sha256, await sha256Blob(file, this.#wasm));
    return file;
  }

  /** The file stored under `sha256`, or null (its stale index entry dropped). */
  async #open(sha256: string): Promise<File | null> {
    checkSha(sha256);
    const dir = await this.#folder();
    try {
      return await (await dir.getFileHandle(sha256)).getFile();
    } catch (e) {
      if ((e as Error | null)?.name === "NotFoundError") {
        await this.#update((index) => index.filter((m) => m.sha256 !== sha256));
        return null;
      }
      throw this.#wrap(e, `could not read ${sha256}`);
    }
  }

  /** Deletes the entry and rejects with an `IntegrityError` when the bytes hash to `actual`, not `sha256`. */
  async #check(sha256: string, actual: string): Promise<void> {
    if (actual === sha256) return;
    await this.remove(sha256);
    throw kaoshiError("IntegrityError", `cached model ${sha256} is corrupt (its bytes hash to ${actual}); the entry was deleted`);
  }

  /** The index's entries, oldest first. */
  async list(): Promise<CachedModel[]> {
    await this.#queue.catch(() => {});
    return this.#readIndex(await this.#folder());
  }

  /** Deletes the file and its entry; resolves with whether there was a file. */
  async remove(sha256: string): Promise<boolean> {
    checkSha(sha256);
    const dir = await this.#folder();
    let existed = true;
    try {
      await dir.removeEntry(sha256);
    } catch (e) {
      if ((e as Error | null)?.name !== "NotFoundError") throw this.#wrap(e, `could not delete ${sha256}`);
      existed = false;
    }
    await this.#update((index) => index.filter((m) => m.sha256 !== sha256));
    return existed;
  }

  /** The origin's storage use and quota (`navigator.storage.estimate()`). */
  async usage(): Promise<CacheUsage> {
    const storage = this.#storage;
    if (storage?.estimate === undefined) throw kaoshiError("StorageUnavailableError", "navigator.storage is unavailable");
    const estimate = await storage.estimate();
    const persisted = storage.persisted === undefined ? null : await storage.persisted().catch(() => null);
    return { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
  }

  #folder(): Promise<FileSystemDirectoryHandle> {
    if (this.#dir === null) {
      const storage = this.#storage;
      this.#dir =
        typeof storage?.getDirectory !== "function"
          ? Promise.reject(kaoshiError("StorageUnavailableError", "the Origin Private File System is unavailable"))
          : storage
              .getDirectory()
              .then((root) => root.getDirectoryHandle(this.directory, { create: true }))
              .catch((e: unknown) => {
                throw this.#wrap(e, "the Origin Private File System refused access", true);
              });
      // Let a later call try again after a failure.
      this.#dir.catch(() => (this.#dir = null));
    }
    return this.#dir;
  }

  #wrap(e: unknown, message: string, always = false): Error {
    const err = e as Error | null;
    if (err?.name === "StorageUnavailableError" || err?.name === "IntegrityError") return err;
    if (always || ["SecurityError", "NotAllowedError", "InvalidStateError"].includes(err?.name ?? "")) {
      return kaoshiError("StorageUnavailableError", `${message}: ${err?.message ?? String(e)}`, e);
    }
    // QuotaExceededError and the like: keep the browser's error.
    return err instanceof Error ? err : new Error(`${message}: ${String(e)}`);
  }

  async #readIndex(dir: FileSystemDirectoryHandle): Promise<CachedModel[]> {
    let text: string;
    try {
      text = await (await (await dir.getFileHandle(INDEX)).getFile()).text();
    } catch (e) {
      if ((e as Error | null)?.name === "NotFoundError") return [];
      throw this.#wrap(e, "could not read the cache index");
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? (parsed as CachedModel[]).filter((m) => HEX64.test(m?.sha256 ?? "")) : [];
    } catch {
      return []; // a damaged index: start again (the files are still named by hash)
    }
  }

  #update(change: (index: CachedModel[]) => CachedModel[]): Promise<void> {
    const run = async () => {
      const dir = await this.#folder();
      const next = change(await this.#readIndex(dir));
      try {
        const writable = await (await dir.getFileHandle(INDEX, { create: true })).createWritable();
        await writable.write(JSON.stringify(next, null, 1));
        await writable.close();
      } catch (e) {
        throw this.#wrap(e, "could not write the cache index");
      }
    };
    const done = this.#queue.then(run, run);
    this.#queue = done.catch(() => {});
    return done;
  }
}
