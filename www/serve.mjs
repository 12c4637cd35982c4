// A tiny static server for the built site (node only, no dependencies):
// serves www/dist/ on 127.0.0.1, plus, for local tries and the tests, the
// stories260K fixture at /models/stories260K.gguf and the benchmark folder
// ../shared/data (beside the repository) at /data/<suite>/<relPath>, so that
// "/data" works as the site's data mirror. Nothing is copied into the repo.
// HEAD and single-range requests (Range: bytes=a-b -> 206) work for every
// file, so the site can read a model at a URL in pieces (WorkerEngine with
// {url}); see startServer for the options the tests use.
//
//   node www/serve.mjs [port]   # then open http://127.0.0.1:PORT/
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";
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
 * Parses a `Range` header against a body of `size` bytes: `null` when there
 * is none or it is not one we serve in pieces (several ranges, another unit:
 * then the whole body goes out with 200, which RFC 9110 allows); `"bad"` when
 * the single range cannot be satisfied (416); else `{start, end}` (inclusive).
 */
export function parseRange(header, size) {
  if (typeof header !== "string") return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null) return null; // several ranges or another unit: serve it whole
  const [, a, b] = m;
  if (a === "" && b === "") return "bad";
  let start;
  let end;
  if (a === "") {
    // bytes=-N: the last N bytes.
    const n = Number(b);
    if (n === 0 || size === 0) return "bad";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== "" && Number(b) < start) return "bad";
  }
  if (start >= size) return "bad";
  return { start, end };
}

/**
 * Answers `req` with a body of `size` bytes (`open(start, end)` streams the
 * inclusive range, or the whole body without arguments): HEAD gives the
 * headers only (with Content-Length), a single `Range: bytes=a-b` gets 206
 * with Content-Range, an unsatisfiable one 416; `ranges: false` ignores
 * Range (200 and the whole body, as servers without range support do).
 * Returns the status sent.
 */
function sendBody(req, res, { size, type, open, ranges = true }) {
  const headers = { "content-type": type, "cache-control": "no-store" };
  if (ranges) headers["accept-ranges"] = "bytes";
  const range = ranges ? parseRange(req.headers.range, size) : null;
  if (range === "bad") {
    res.writeHead(416, { ...headers, "content-range": `bytes */${size}`, "content-length": 0 }).end();
    return 416;
  }
  if (range !== null) {
    const length = range.end - range.start + 1;
    res.writeHead(206, { ...headers, "content-range": `bytes ${range.start}-${range.end}/${size}`, "content-length": length });
    if (req.method === "HEAD") res.end();
    else open(range.start, range.end).pipe(res);
    return 206;
  }
  res.writeHead(200, { ...headers, "content-length": size });
  if (req.method === "HEAD") res.end();
  else open().pipe(res);
  return 200;
}

/**
 * Starts the server; resolves with `{url, close}` (port 0: any free port).
 * `extra` maps URL paths to bodies (strings or Buffers) served before any
 * file, e.g. a deliberately broken data file for a test; `folders` adds URL
 * prefixes served from folders (prefix -> folder, like {@link FOLDERS});
 * `files` adds URL paths served from files anywhere (path -> file, like
 * {@link MODELS}, e.g. a model a test made in a temporary folder);
 * `noRange` lists URL prefixes whose requests ignore `Range` (200 and the
 * whole file, like a server without range support); `onRequest` is called
 * after each answer with `{method, path, range, status}` (a test counts
 * HEAD and range requests with it).
 *
 * Every file and `extra` body is served with HEAD (Content-Length) and
 * single-range requests (`Range: bytes=a-b`, `a-`, `-n` -> 206 with
 * Content-Range; out of range -> 416).
 */
export function startServer({ port = 0, host = "127.0.0.1", extra = {}, folders = {}, files = {}, noRange = [], onRequest = () => {} } = {}) {
  const allFolders = { ...FOLDERS, ...folders };
  const server = createServer((req, res) => {
    let pathname;
    const done = (status) => {
      try {
        onRequest({ method: req.method, path: pathname ?? req.url, range: req.headers.range ?? null, status });
      } catch {
        /* a failing observer does not break the server */
      }
    };
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400).end("bad request");
      done(400);
      return;
    }
    const ranges = !noRange.some((prefix) => pathname.startsWith(prefix));
    if (pathname in extra) {
      const body = Buffer.from(extra[pathname]);
      const type = TYPES[extname(pathname)] ?? "application/octet-stream";
      const open = (start = 0, end = body.length - 1) => Readable.from([body.subarray(start, end + 1)]);
      done(sendBody(req, res, { size: body.length, type, open, ranges }));
      return;
    }
    const file = pathname in files ? resolve(files[pathname]) : fileFor(pathname, allFolders);
    let stat = null;
    try {
      stat = file === null ? null : statSync(file);
    } catch {
      stat = null;
    }
    if (stat === null || !stat.isFile()) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${pathname}`);
      done(404);
      return;
    }
    const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    const open = (start, end) => {
      const stream = start === undefined ? createReadStream(file) : createReadStream(file, { start, end });
      // A client that goes away mid-body must not crash the server.
      stream.on("error", () => res.destroy());
      return stream;
    };
    done(sendBody(req, res, { size: stat.size, type, open, ranges }));
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
