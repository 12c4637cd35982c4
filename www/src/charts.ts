/**
 * Hand-written SVG charts: horizontal bars (accuracy per subject), a radar
 * (group scores over the OpenEval dimensions) and a line (accuracy by
 * grade). Values are accuracies in [0, 1]; each chart has a <title> and the
 * numbers as text so it reads without colour.
 */
const NS = "http://www.w3.org/2000/svg";

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function svg(width: number, height: number, title: string, cls: string): SVGSVGElement {
  const root = s("svg", { viewBox: `0 0 ${width} ${height}`, class: `chart ${cls}`, role: "img", width: "100%" });
  root.append(s("title", {}, title));
  return root;
}

export interface Bar {
  label: string;
  value: number;
  n?: number;
}

/** One horizontal bar per entry, 0..100 %. */
export function barChart(bars: Bar[], title: string): SVGSVGElement {
  const row = 20;
  const labelW = 190;
  const width = 600;
  // Room right of a full bar for its value, e.g. "100.0% (n=1234)".
  const plotW = width - labelW - 110;
  const root = svg(width, bars.length * row + 24, title, "bars");
  for (const pct of [0, 0.25, 0.5, 0.75, 1]) {
    const x = labelW + pct * plotW;
    root.append(s("line", { x1: x, x2: x, y1: 0, y2: bars.length * row, class: "grid" }), s("text", { x, y: bars.length * row + 16, "text-anchor": "middle", class: "axis" }, `${pct * 100}%`));
  }
  bars.forEach((b, i) => {
    const y = i * row;
    const label = b.label.length > 28 ? `${b.label.slice(0, 27)}…` : b.label;
    root.append(
      s("text", { x: labelW - 6, y: y + 14, "text-anchor": "end", class: "label" }, label),
      s("rect", { x: labelW, y: y + 3, width: Math.max(0, b.value) * plotW, height: row - 6, class: "bar" }),
      s("text", { x: labelW + Math.max(0, b.value) * plotW + 4, y: y + 14, class: "value" }, `${(b.value * 100).toFixed(1)}%${b.n !== undefined ? ` (n=${b.n})` : ""}`),
    );
    root.lastElementChild?.previousElementSibling?.append(s("title", {}, `${b.label}: ${(b.value * 100).toFixed(1)}%`));
  });
  return root;
}

/** A radar over `axes` (at least 3 look like a polygon; fewer still draw). */
export function radarChart(axes: Bar[], title: string): SVGSVGElement {
  const size = 360;
  const c = size / 2;
  const r = 120;
  const root = svg(size, size, title, "radar");
  const n = Math.max(axes.length, 1);
  const at = (i: number, v: number): [number, number] => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return [c + Math.cos(a) * r * v, c + Math.sin(a) * r * v];
  };
  for (const ring of [0.25, 0.5, 0.75, 1]) {
    root.append(s("polygon", { points: axes.map((_, i) => at(i, ring).join(",")).join(" "), class: "grid" }));
  }
  axes.forEach((ax, i) => {
    const [x, y] = at(i, 1);
    const [lx, ly] = at(i, 1.18);
    root.append(s("line", { x1: c, y1: c, x2: x, y2: y, class: "grid" }));
    root.append(s("text", { x: lx, y: ly, "text-anchor": "middle", class: "label" }, `${ax.label} ${(ax.value * 100).toFixed(1)}%`));
  });
  root.append(s("polygon", { points: axes.map((ax, i) => at(i, Math.max(0, ax.value)).join(",")).join(" "), class: "area" }));
  return root;
}

/** Accuracy per ordered category (e.g. grade 1..6), as a line with dots. */
export function lineChart(points: Bar[], title: string): SVGSVGElement {
  const width = 600;
  const height = 240;
  const pad = 40;
  const root = svg(width, height, title, "line");
  const plotW = width - 2 * pad;
  const plotH = height - 2 * pad;
  const x = (i: number) => pad + (points.length <= 1 ? plotW / 2 : (i * plotW) / (points.length - 1));
  const y = (v: number) => pad + (1 - v) * plotH;
  for (const pct of [0, 0.5, 1]) root.append(s("line", { x1: pad, x2: width - pad, y1: y(pct), y2: y(pct), class: "grid" }), s("text", { x: pad - 4, y: y(pct) + 4, "text-anchor": "end", class: "axis" }, `${pct * 100}%`));
  root.append(s("polyline", { points: points.map((p, i) => `${x(i)},${y(p.value)}`).join(" "), class: "trend" }));
  points.forEach((p, i) => {
    root.append(
      s("circle", { cx: x(i), cy: y(p.value), r: 4, class: "dot" }),
      s("text", { x: x(i), y: height - pad + 18, "text-anchor": "middle", class: "label" }, p.label),
      s("text", { x: x(i), y: y(p.value) - 8, "text-anchor": "middle", class: "value" }, `${(p.value * 100).toFixed(0)}%`),
    );
  });
  return root;
}
