// A tiny static server for the example (node only, no dependencies): serves
// the repository root on 127.0.0.1, and the stories260K fixture from
// ../shared beside the repository at /models/stories260K.gguf.
//
//   node examples/web-app/serve.mjs [port]   # then open http://127.0.0.1:PORT/examples/web-app/
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** URL paths mapped to files outside the repository. */
export const MODELS = {
  "/models/stories260K.gguf": resolve(ROOT, "../shared/fixtures/models/stories260K/stories260K.gguf"),
};
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".gguf": "application/octet-stream",
};

function fileFor(pathname) {
  if (pathname in MODELS) return MODELS[pathname];
  if (pathname.endsWith("/")) pathname += "index.html";
  const file = resolve(ROOT, `.${pathname}`);
  // Nothing outside the repository (after `..` and symlink-free resolution).
  return file.startsWith(ROOT.endsWith(sep) ? ROOT : ROOT + sep) ? file : null;
}

/** Starts the server; resolves with `{url, close}` (port 0: any free port). */
export function startServer({ port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    const file = fileFor(pathname);
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
      ok({ url: `http://${host}:${p}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.argv[2] ?? 8080) });
  console.log(`serving ${ROOT} at ${url}/ ; open ${url}/examples/web-app/`);
}
