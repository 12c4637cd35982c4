// A tiny static server for the built site (node only, no dependencies):
// serves www/dist/ on 127.0.0.1, plus, for local tries and the tests, the
// stories260K fixture at /models/stories260K.gguf and the benchmark folder
// ../shared/data (beside the repository) at /data/<suite>/<relPath>, so that
// "/data" works as the site's data mirror. Nothing is copied into the repo.
//
//   node www/serve.mjs [port]   # then open http://127.0.0.1:PORT/
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const WWW = fileURLToPath(new URL("./", import.meta.url));
export const DIST = resolve(WWW, "dist");
const REPO = resolve(WWW, "..");
/** Files outside the repository (the shared fixtures), by URL path. */
export const MODELS = {
  "/models/stories260K.gguf": resolve(REPO, "../shared/fixtures/models/stories260K/stories260K.gguf"),
};
/** URL prefix -> folder outside the repository. */
export const FOLDERS = { "/data/": resolve(REPO, "../shared/data") };

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".csv": "text/csv; charset=utf-8",
  ".jsonl": "application/x-ndjson",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".gguf": "application/octet-stream",
};

function inside(root, file) {
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
}

function fileFor(pathname, folders) {
  if (pathname in MODELS) return MODELS[pathname];
  for (const [prefix, dir] of Object.entries(folders)) {
    if (pathname.startsWith(prefix)) {
      const file = resolve(dir, `.${pathname.slice(prefix.length - 1)}`);
      return inside(dir, file) ? file : null;
    }
  }
  if (pathname.endsWith("/")) pathname += "index.html";
  const file = resolve(DIST, `.${pathname}`);
  return inside(DIST, file) ? file : null;
}

/**
 * Starts the server; resolves with `{url, close}` (port 0: any free port).
 * `extra` maps URL paths to bodies (strings or Buffers) served before any
 * file, e.g. a deliberately broken data file for a test; `folders` adds URL
 * prefixes served from folders (prefix -> folder, like {@link FOLDERS}).
 */
export function startServer({ port = 0, host = "127.0.0.1", extra = {}, folders = {} } = {}) {
  const allFolders = { ...FOLDERS, ...folders };
  const server = createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    if (pathname in extra) {
      const body = Buffer.from(extra[pathname]);
      res.writeHead(200, { "content-type": TYPES[extname(pathname)] ?? "application/octet-stream", "content-length": body.length, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    const file = fileFor(pathname, allFolders);
    let stat = null;
    try {
      stat = file === null ? null : statSync(file);
    } catch {
      stat = null;
    }
    if (stat === null || !stat.isFile()) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${pathname}`);
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      "content-length": stat.size,
      "cache-control": "no-store",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      ok({ url: `http://${host}:${p}`, close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.argv[2] ?? 8080) });
  console.log(`serving ${DIST} at ${url}/ (model: ${url}/models/stories260K.gguf, data mirror: ${url}/data)`);
}
