// The site's static server (node only, no dependencies): serves
// www/dist/ on 127.0.0.1, plus, for local tries and the tests, the
// stories260K fixture at /models/stories260K.gguf and the benchmark folder
// ../shared/data (beside the repository) at /data/<suite>/<relPath>, so that
// "/data" works as the site's data mirror. Nothing is copied into the repo.
// HEAD and single-range requests (Range: bytes=a-b -> 206) work for every
// file, so the site can read a model at a URL in pieces (WorkerEngine with
// {url}); the server itself is scripts/lib/static-server.mjs.
//
//   node www/serve.mjs [port]   # then open http://127.0.0.1:PORT/
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { startStaticServer } from "../scripts/lib/static-server.mjs";

const WWW = fileURLToPath(new URL("./", import.meta.url));
export const DIST = resolve(WWW, "dist");
const REPO = resolve(WWW, "..");
/** Files outside the repository (the shared fixtures), by URL path. */
export const MODELS = {
  "/models/stories260K.gguf": resolve(REPO, "../shared/fixtures/models/stories260K/stories260K.gguf"),
};
/** URL prefix -> folder outside the repository. */
export const FOLDERS = { "/data/": resolve(REPO, "../shared/data") };

/**
 * Serves www/dist/ with {@link MODELS} and {@link FOLDERS}; the options are
 * `startStaticServer`'s (`files` and `folders` add to these).
 */
export function startServer({ files = {}, folders = {}, ...options } = {}) {
  return startStaticServer({ ...options, root: DIST, files: { ...MODELS, ...files }, folders: { ...FOLDERS, ...folders } });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.argv[2] ?? 8080) });
  console.log(`serving ${DIST} at ${url}/ (model: ${url}/models/stories260K.gguf, data mirror: ${url}/data)`);
}
