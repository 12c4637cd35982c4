/**
 * `fetchBytes` and `fetchBlob`: a GET that reads the body in chunks, reports
 * progress, and turns HTTP failures into an `Error` named "HttpError" whose
 * message starts with "HTTP <status>", and network failures into
 * "NetworkError". `fetchBytes` gathers the body in memory (small suite
 * files); `fetchBlob` gathers it into a Blob a few MiB at a time (models:
 * the browser keeps large Blobs on disk, so no whole copy stays in the page's
 * memory).
 */

/** The response to a GET of `url`, or the HttpError / NetworkError above. */
async function open(url: string, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, signal ? { signal } : {});
  } catch (e) {
    if ((e as Error)?.name === "AbortError") throw e;
    const err = new Error(`${url}: ${(e as Error)?.message ?? String(e)}`);
    err.name = "NetworkError";
    throw err;
  }
  if (!res.ok) {
    const err = new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}: ${url}`);
    err.name = "HttpError";
    throw err;
  }
  return res;
}

function totalOf(res: Response): number | null {
  const length = Number(res.headers.get("content-length"));
  return Number.isFinite(length) && length > 0 ? length : null;
}

/** Reads `res`'s body chunk by chunk, calling `onChunk` and `onProgress` for each. */
async function readBody(
  res: Response,
  onChunk: (chunk: Uint8Array) => void,
  onProgress?: (received: number, total: number | null) => void,
): Promise<number> {
  const total = totalOf(res);
  const reader = res.body!.getReader();
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onChunk(value);
    received += value.byteLength;
    onProgress?.(received, total);
  }
  return received;
}

export async function fetchBytes(
  url: string,
  onProgress?: (received: number, total: number | null) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const res = await open(url, signal);
  if (res.body === null) return new Uint8Array(await res.arrayBuffer());
  const chunks: Uint8Array[] = [];
  const received = await readBody(res, (c) => chunks.push(c), onProgress);
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Chunks are folded into the Blob each time this many bytes have arrived. */
const BLOB_FOLD = 8 * 1024 * 1024;

/** The body at `url` as a Blob, with progress; never more than a few MiB of it in JS arrays at once. */
export async function fetchBlob(
  url: string,
  onProgress?: (received: number, total: number | null) => void,
  signal?: AbortSignal,
): Promise<Blob> {
  const res = await open(url, signal);
  if (res.body === null) return res.blob();
  let blob = new Blob([]);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const fold = (): void => {
    blob = new Blob([blob, ...(pending as BlobPart[])]);
    pending = [];
    pendingBytes = 0;
  };
  await readBody(
    res,
    (c) => {
      pending.push(c);
      pendingBytes += c.byteLength;
      if (pendingBytes >= BLOB_FOLD) fold();
    },
    onProgress,
  );
  fold();
  return blob;
}
