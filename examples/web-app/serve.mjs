// The example's static server (node only, no dependencies): serves the
// repository root on 127.0.0.1, and the stories260K fixture from ../shared
// beside the repository at /models/stories260K.gguf; the server itself is
// scripts/lib/static-server.mjs.
//
//   node examples/web-app/serve.mjs [port]   # then open http://127.0.0.1:PORT/examples/web-app/
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { startStaticServer } from "../../scripts/lib/static-server.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** URL paths mapped to files outside the repository. */
export const MODELS = {
  "/models/stories260K.gguf": resolve(ROOT, "../shared/fixtures/models/stories260K/stories260K.gguf"),
};

/** Starts the server; resolves with `{url, close}` (port 0: any free port). */
export function startServer({ port = 0, host = "127.0.0.1" } = {}) {
  return startStaticServer({ root: ROOT, port, host, files: MODELS });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.argv[2] ?? 8080) });
  console.log(`serving ${ROOT} at ${url}/ ; open ${url}/examples/web-app/`);
}
