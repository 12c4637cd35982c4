/** The suite catalog, which needs no model. */
import { suiteCatalog as catalog, type SuiteCatalog } from "./wasm/kaoshi_wasm.js";
import type { WasmSource } from "./protocol.js";
import { initWasm } from "./wasm.js";

/**
 * Every benchmark suite {@link Engine.runSuite} runs, with where its data
 * is published (URLs pinned to a commit, sha256 of each file, the licence
 * to show before downloading) and the groups (OpenEval's dimensions).
 * Initialises the wasm module in the calling thread (see {@link initWasm}).
 */
export async function suiteCatalog(wasm?: WasmSource): Promise<SuiteCatalog> {
  await initWasm(wasm);
  return catalog();
}
