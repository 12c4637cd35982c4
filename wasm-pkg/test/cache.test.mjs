// ModelCache in node, which has no Origin Private File System: every call
// rejects with a StorageUnavailableError, and sha256Hex agrees with node's
// crypto. The OPFS paths themselves are tested in headless Chromium by
// examples/web-app/test/web-app.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ModelCache, sha256Hex } from "../dist/index.js";

test("sha256Hex is node's sha256", async () => {
  const bytes = new Uint8Array(100_000).map((_, i) => (i * 31) & 255);
  assert.equal(await sha256Hex(bytes), createHash("sha256").update(bytes).digest("hex"));
});

test("without OPFS every call rejects with StorageUnavailableError", async () => {
  assert.equal(ModelCache.isAvailable(), false);
  const cache = new ModelCache();
  const unavailable = (e) => e instanceof Error && e.name === "StorageUnavailableError";
  await assert.rejects(cache.list(), unavailable);
  await assert.rejects(cache.put(new Uint8Array([1, 2, 3]), "x"), unavailable);
  await assert.rejects(cache.get("0".repeat(64)), unavailable);
  await assert.rejects(cache.remove("0".repeat(64)), unavailable);
  await assert.rejects(cache.usage(), unavailable);
  // A malformed hash is the caller's bug, whatever the storage.
  await assert.rejects(cache.get("abc"), TypeError);
});

test("a storage that refuses access gives StorageUnavailableError", async () => {
  const refusing = {
    getDirectory: async () => {
      throw new DOMException("denied", "SecurityError");
    },
    estimate: async () => ({ usage: 1, quota: 2 }),
    persisted: async () => false,
  };
  const cache = new ModelCache({ storage: refusing });
  await assert.rejects(cache.list(), (e) => e.name === "StorageUnavailableError" && /denied/.test(e.message));
  assert.deepEqual(await cache.usage(), { usage: 1, quota: 2, persisted: false });
});
