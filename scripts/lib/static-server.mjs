// The static server of the site's and the example page's tests and local
// tries (node only, no dependencies): files of one folder on 127.0.0.1,
// plus files and folders from elsewhere (the shared fixtures beside the
// repository) at chosen URLs, with HEAD and single-range requests, so that
// a page can read a model at a URL in pieces. www/serve.mjs and
// examples/web-app/serve.mjs say what each serves.
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";
import { extname, resolve, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".csv": "text/csv; charset=utf-8",
  ".jsonl": "application/x-ndjson",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".gguf": "application/octet-stream",
};

function inside(root, file) {
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
}

function fileFor(pathname, root, files, folders) {
  if (pathname in files) return resolve(files[pathname]);
  for (const [prefix, dir] of Object.entries(folders)) {
    if (pathname.startsWith(prefix)) {
      const file = resolve(dir, `.${pathname.slice(prefix.length - 1)}`);
      return inside(dir, file) ? file : null;
    }
  }
  if (pathname.endsWith("/")) pathname += "index.html";
  // Nothing outside the root (after `..` and symlink-free resolution).
  const file = resolve(root, `.${pathname}`);
  return inside(root, file) ? file : null;
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
 * Starts a server of the folder `root`; resolves with `{url, close}` (port
 * 0: any free port). `extra` maps URL paths to bodies (strings or Buffers)
 * served before any file, e.g. a deliberately broken data file for a test;
 * `files` maps URL paths to files anywhere (a fixture beside the
 * repository, a model a test made in a temporary folder); `folders` maps
 * URL prefixes to folders (the benchmark data beside the repository);
 * `noRange` lists URL prefixes whose requests ignore `Range` (200 and the
 * whole file, like a server without range support); `onRequest` is called
 * after each answer with `{method, path, range, status}` (a test counts
 * HEAD and range requests with it).
 *
 * Every file and `extra` body is served with HEAD (Content-Length) and
 * single-range requests (`Range: bytes=a-b`, `a-`, `-n` -> 206 with
 * Content-Range; out of range -> 416).
 */
export function startStaticServer({ root, port = 0, host = "127.0.0.1", extra = {}, folders = {}, files = {}, noRange = [], onRequest = () => {} }) {
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
    const file = fileFor(pathname, root, files, folders);
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
