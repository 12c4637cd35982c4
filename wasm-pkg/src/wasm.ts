/** Initialising the wasm module (once per page or worker). */
import init from "./wasm/kaoshi_wasm.js";
import type { WasmSource } from "./protocol.js";

let ready: Promise<void> | null = null;

/**
 * Instantiates kaoshi's wasm module; later calls return the same promise
 * (and ignore `source`). Without `source` the module is fetched from
 * `wasm/kaoshi_wasm_bg.wasm` beside the package's JS (bundlers that
 * understand `new URL(..., import.meta.url)` copy it). Node cannot fetch
 * `file:` URLs: pass the bytes there (`fs.readFileSync(...)`).
 */
export function initWasm(source?: WasmSource | URL): Promise<void> {
  if (ready === null) {
    const attempt = init(source === undefined ? undefined : { module_or_path: source }).then(() => undefined);
    // A failed attempt (a bad URL, say) may be retried.
    attempt.catch(() => {
      if (ready === attempt) ready = null;
    });
    ready = attempt;
  }
  return ready;
}
