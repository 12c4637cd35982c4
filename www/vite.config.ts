// Vite config for the kaoshi site. `base: "./"` makes every URL relative, so
// www/dist/ can be published under any path. kaoshi is excluded from
// dependency pre-bundling (dev server) so that its `new URL("./worker.js",
// import.meta.url)` and `new URL("kaoshi_wasm_bg.wasm", import.meta.url)`
// keep pointing beside its own files; the worker is built as an ES module.
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  optimizeDeps: { exclude: ["kaoshi"] },
  worker: { format: "es" },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // The wasm module is ~3.6 MB: never inline it.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 4096,
  },
});
