/**
 * `fetchBytes`: a GET that reads the body in chunks, reports progress, and
 * turns HTTP failures into an `Error` named "HttpError" whose message starts
 * with "HTTP <status>", and network failures into "NetworkError".
 */
export async function fetchBytes(
  url: string,
  onProgress?: (received: number, total: number | null) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
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
  const length = Number(res.headers.get("content-length"));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  if (res.body === null) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress?.(received, total);
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
