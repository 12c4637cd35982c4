/**
 * The Device panel, read from `navigator.gpu` in the page: adapter info,
 * features, key limits; without WebGPU it says the CPU (wasm SIMD) will be
 * used. It also estimates whether the chosen model fits (an estimate: file
 * size against the GPU's buffer limits, or against wasm32's 4 GiB memory).
 */
import { byId, fmtBytes, h } from "./dom";
import { on, state } from "./state";

/** wasm32 addresses at most 4 GiB (2^32 bytes) of linear memory (WebAssembly core spec, memory32). */
const WASM32_MAX_MEMORY = 4 * 1024 ** 3;

const LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupsPerDimension",
] as const;

interface GpuSummary {
  available: boolean;
  reason: string | null;
  info: Record<string, string>;
  fallback: boolean;
  features: string[];
  limits: Record<string, number>;
}

export let gpu: GpuSummary = { available: false, reason: "not checked", info: {}, fallback: false, features: [], limits: {} };

type GpuLike = { requestAdapter(): Promise<unknown> };

async function probe(): Promise<GpuSummary> {
  const nav = navigator as Navigator & { gpu?: GpuLike };
  if (nav.gpu === undefined) return { available: false, reason: "device.noNavigatorGpu", info: {}, fallback: false, features: [], limits: {} };
  let adapter: any;
  try {
    adapter = await nav.gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return { available: false, reason: "device.noAdapter", info: {}, fallback: false, features: [], limits: {} };
  const info: Record<string, string> = {};
  const ai = adapter.info ?? {};
  for (const k of ["vendor", "architecture", "device", "description"]) if (ai[k]) info[k] = String(ai[k]);
  const limits: Record<string, number> = {};
  for (const k of LIMITS) if (typeof adapter.limits?.[k] === "number") limits[k] = adapter.limits[k];
  return {
    available: true,
    reason: null,
    info,
    fallback: Boolean(ai.isFallbackAdapter ?? adapter.isFallbackAdapter),
    features: [...(adapter.features ?? [])].map(String).sort(),
    limits,
  };
}

function renderFit(): void {
  const box = byId("device-fit");
  box.replaceChildren();
  const size = state.model?.size ?? null;
  if (size === null) {
    box.append(h("p", { class: "muted", i18n: "device.fitNoModel" }));
    return;
  }
  const items: HTMLElement[] = [];
  if (gpu.available) {
    const maxBuf = gpu.limits.maxBufferSize ?? 0;
    const maxBind = gpu.limits.maxStorageBufferBindingSize ?? 0;
    const ok = size <= maxBuf;
    items.push(h("li", { class: ok ? "ok" : "warn", i18n: ok ? "device.fitGpuOk" : "device.fitGpuNo", vars: { size: fmtBytes(size), max: fmtBytes(maxBuf) } }));
    items.push(h("li", { i18n: "device.fitBinding", vars: { max: fmtBytes(maxBind) } }));
  }
  const cpuOk = size * 1.2 <= WASM32_MAX_MEMORY;
  items.push(h("li", { class: cpuOk ? "ok" : "warn", i18n: cpuOk ? "device.fitCpuOk" : "device.fitCpuNo", vars: { size: fmtBytes(size), max: fmtBytes(WASM32_MAX_MEMORY) } }));
  box.append(h("p", { class: "badge", i18n: "device.estimate" }), h("ul", { class: "fit" }, ...items));
}

function render(): void {
  const box = byId("device-body");
  box.replaceChildren();
  if (!gpu.available) {
    box.append(h("p", { class: "message info", i18n: "device.cpuOnly" }), h("p", { class: "muted", i18n: gpu.reason ?? "device.noAdapter" }));
  } else {
    const dl = h("dl", { class: "info" });
    for (const [k, v] of Object.entries(gpu.info)) dl.append(h("dt", { i18n: `device.${k}` }), h("dd", {}, v));
    dl.append(h("dt", { i18n: "device.fallback" }), h("dd", { i18n: gpu.fallback ? "common.yes" : "common.no" }));
    dl.append(h("dt", { i18n: "device.features" }), h("dd", {}, gpu.features.length ? gpu.features.join(", ") : "–"));
    for (const [k, v] of Object.entries(gpu.limits)) dl.append(h("dt", {}, h("code", {}, k)), h("dd", {}, k.endsWith("Size") ? `${fmtBytes(v)} (${v})` : String(v)));
    box.append(dl);
  }
  renderFit();
}

export async function mountDevice(): Promise<void> {
  byId("device-body").replaceChildren(h("p", { class: "muted", i18n: "device.checking" }));
  on("model", renderFit);
  gpu = await probe();
  render();
}
