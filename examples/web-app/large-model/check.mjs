// A manual check, not part of the test suite (it needs minutes and a few GB
// of disk): a model larger than 2 GiB or 4 GiB loads on WebGPU in headless
// Chromium (SwiftShader) when read piece by piece from a File, and the
// worker's wasm memory stays near one tensor's size.
//
//   target/release/kaoshi synth --arch llama --layers 52 --dim 2560 --heads 20 --kv-heads 20 \
//       --ffn 6912 --vocab 32000 --dtype Q8_0 --out big.gguf      # 4.56 GB, about a minute
//   bash scripts/build-wasm-pkg.sh                                # wasm-pkg/dist
//   (cd examples/web-app && npm ci && node large-model/check.mjs ../../big.gguf)
//
// Prints one JSON line: fileBytes, loadMs, firstTokenMs, wasmBytes, backend.
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { startServer } from "../serve.mjs";

const model = process.argv[2];
if (model === undefined) throw new Error("usage: node large-model/check.mjs MODEL.gguf");
const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--enable-unsafe-webgpu"],
});
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/examples/web-app/large-model/`);
  await page.setInputFiles("#model", resolve(model));
  await page.waitForFunction(() => window.kaoshiCheck !== null, null, { timeout: 0 });
  const result = await page.evaluate(() => window.kaoshiCheck);
  console.log(JSON.stringify(result));
  if (result.error !== undefined) process.exitCode = 1;
} finally {
  await browser.close();
  await server.close();
}
