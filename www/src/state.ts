/**
 * The page's shared state (also exposed as `window.kaoshiSite` for the
 * tests and for curious users), and a tiny change notifier.
 */
import type { CachedModel, Engine, ModelInfo } from "kaoshi";
import type { SampleRecord, SuiteCatalog } from "./engine-api";
import type { RunEntry } from "./db";

/** How the model in use was loaded, and the worker's wasm memory afterwards. */
export interface LoadStats {
  /** "file": a picked file; "cache": this browser's copy; "download": a URL downloaded into the cache; "url": a URL read in place (range requests, or one download when the server refuses ranges). */
  via: "file" | "cache" | "download" | "url";
  /** Milliseconds from the start (download included) until the engine was ready. */
  ms: number;
  /** Bytes of the engine's wasm memory (`engine.memory()`), last measured. */
  wasmBytes: number | null;
}

export interface SiteState {
  modelState: "none" | "loading" | "ready" | "error";
  modelError: string | null;
  engine: Engine | null;
  model: Pick<CachedModel, "name" | "size" | "sha256"> | null;
  info: ModelInfo | null;
  load: LoadStats | null;
  cache: CachedModel[];
  catalog: SuiteCatalog | null;
  catalogError: string | null;
  runState: "idle" | "running" | "paused" | "done" | "cancelled" | "error";
  runError: string | null;
  run: RunEntry | null;
  progress: { suite: string; done: number; total: number; itemsPerSecond: number; etaSeconds: number | null };
  log: SampleRecord[];
  /** Records this page's runSuite calls reported (not those resumed). */
  recordsThisPage: number;
  dataMessages: Record<string, string>;
}

export const state: SiteState = {
  modelState: "none",
  modelError: null,
  engine: null,
  model: null,
  info: null,
  load: null,
  cache: [],
  catalog: null,
  catalogError: null,
  runState: "idle",
  runError: null,
  run: null,
  progress: { suite: "", done: 0, total: 0, itemsPerSecond: 0, etaSeconds: null },
  log: [],
  recordsThisPage: 0,
  dataMessages: {},
};

type Topic = "model" | "catalog" | "run" | "history";
const subs = new Map<Topic, Array<() => void>>();

export function on(topic: Topic, fn: () => void): void {
  subs.set(topic, [...(subs.get(topic) ?? []), fn]);
}

export function emit(topic: Topic): void {
  for (const fn of subs.get(topic) ?? []) fn();
}

declare global {
  interface Window {
    kaoshiSite: SiteState;
  }
}
window.kaoshiSite = state;
