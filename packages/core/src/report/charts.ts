/**
 * The report's charts as self-contained SVG strings: every chart has labelled axes with ticks, every
 * statistic its 95% interval where the report has one, and labels placed so they never overlap.
 */

export const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
export const COLORS = ["#1f5f99", "#c4510f", "#2f7d32", "#b3261e", "#00707a", "#7b3f98", "#6d4c2f", "#4a4a4a"];
const f3 = (x: number) => x.toFixed(3);
const px = (x: number) => x.toFixed(1);
/** Rough width of a label in px (system-ui at `size` px); layout only needs an upper bound. */
export const textWidth = (text: string, size: number) => text.length * size * 0.62;

/**
 * Evenly spaced "nice" tick values (steps of 1, 2 or 5 × 10^n) covering [min, max] with about `count`
 * ticks; a degenerate range gets a unit range around it.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max - min < 1e-12) [min, max] = [min - 0.5, max + 0.5];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  if (ticks[0]! > min) ticks.unshift(Number((ticks[0]! - step).toFixed(10)));
  if (ticks.at(-1)! < max) ticks.push(Number((ticks.at(-1)! + step).toFixed(10)));
  return ticks;
}

/**
 * Move label positions (e.g. y coordinates of line-end labels) apart so that neighbours are at least
 * `gap` apart, keeping their order and staying within [lo, hi] when there is room. Returns the new
 * positions in the input's order.
 */
export function spreadLabels(positions: readonly number[], gap: number, lo: number, hi: number): number[] {
  const order = positions.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const pos = order.map((o) => Math.min(hi, Math.max(lo, o.p)));
  for (let i = 1; i < pos.length; i++) pos[i] = Math.max(pos[i]!, pos[i - 1]! + gap);
  // Pushed past the bottom: pull the tail back up, as far as the top allows.
  if (pos.length && pos.at(-1)! > hi) {
    pos[pos.length - 1] = Math.max(hi, lo + gap * (pos.length - 1));
    for (let i = pos.length - 2; i >= 0; i--) pos[i] = Math.min(pos[i]!, pos[i + 1]! - gap);
  }
  const out = new Array<number>(positions.length);
  order.forEach((o, k) => (out[o.i] = pos[k]!));
  return out;
}

export interface Bar {
  label: string;
  value: number;
  low?: number;
  high?: number;
}

function svg(cls: string, w: number, h: number, title: string, body: string): string {
  return `<svg class="chart ${cls}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${body}</svg>`;
}

/** A vertical axis tick line with its label (used by every chart's x axis). */
function xAxis(
  ticks: number[],
  x: (v: number) => number,
  top: number,
  bottom: number,
  title: string,
  format: (v: number) => string,
): string {
  const marks = ticks
    .map(
      (t) =>
        `<line class="grid" x1="${px(x(t))}" y1="${top}" x2="${px(x(t))}" y2="${bottom}" stroke="#e3e3e3"/><text class="tick" x="${px(x(t))}" y="${bottom + 13}" font-size="10" text-anchor="middle" fill="#333">${esc(format(t))}</text>`,
    )
    .join("");
  const mid = (x(ticks[0]!) + x(ticks.at(-1)!)) / 2;
  return `${marks}<line class="axis x-axis" x1="${px(x(ticks[0]!))}" y1="${bottom}" x2="${px(x(ticks.at(-1)!))}" y2="${bottom}" stroke="#555"/><text class="axis-title" x="${px(mid)}" y="${bottom + 28}" font-size="11" text-anchor="middle" fill="#222">${esc(title)}</text>`;
}

function yAxis(
  ticks: number[],
  y: (v: number) => number,
  left: number,
  right: number,
  title: string,
  format: (v: number) => string,
): string {
  const marks = ticks
    .map(
      (t) =>
        `<line class="grid" x1="${left}" y1="${px(y(t))}" x2="${right}" y2="${px(y(t))}" stroke="#e3e3e3"/><text class="tick" x="${left - 5}" y="${px(y(t) + 3)}" font-size="10" text-anchor="end" fill="#333">${esc(format(t))}</text>`,
    )
    .join("");
  const mid = (y(ticks[0]!) + y(ticks.at(-1)!)) / 2;
  return `${marks}<line class="axis y-axis" x1="${left}" y1="${px(y(ticks[0]!))}" x2="${left}" y2="${px(y(ticks.at(-1)!))}" stroke="#555"/><text class="axis-title" transform="translate(${left - 34} ${px(mid)}) rotate(-90)" font-size="11" text-anchor="middle" fill="#222">${esc(title)}</text>`;
}

/** An error bar from low to high at height y (horizontal) with end caps. */
const whisker = (x1: number, x2: number, y: number, cap = 4) =>
  `<path class="ci" d="M${px(x1)},${px(y)} H${px(x2)} M${px(x1)},${px(y - cap)} V${px(y + cap)} M${px(x2)},${px(y - cap)} V${px(y + cap)}" stroke="#111" stroke-width="1.2" fill="none"/>`;

/**
 * Horizontal bars, one row per system, on a 0–1 axis (every metric in the report is a proportion), each
 * with its 95% interval as a whisker and its value beside it. One label per row: labels cannot overlap.
 */
export function barChart(title: string, axisTitle: string, bars: readonly Bar[]): string {
  const labelW = Math.min(150, Math.max(40, ...bars.map((b) => textWidth(b.label, 11)))) + 10;
  const row = 22,
    top = 26,
    plotW = 220,
    valueW = 44;
  const w = labelW + plotW + valueW + 8,
    h = top + row * bars.length + 40;
  const x = (v: number) => labelW + plotW * Math.max(0, Math.min(1, v));
  const axis = xAxis([0, 0.2, 0.4, 0.6, 0.8, 1], x, top - 4, top + row * bars.length, axisTitle, (v) => String(v));
  const rows = bars.map((b, i) => {
    const y = top + i * row;
    const end = Math.max(x(b.value), b.high === undefined ? 0 : x(b.high));
    const ci = b.low !== undefined && b.high !== undefined ? whisker(x(b.low), x(b.high), y + row / 2) : "";
    const interval = b.low !== undefined && b.high !== undefined ? ` (95% CI ${f3(b.low)}–${f3(b.high)})` : "";
    return (
      `<g class="bar-row"><text class="row-label" x="${labelW - 6}" y="${y + row / 2 + 4}" font-size="11" text-anchor="end" fill="#222">${esc(b.label)}</text>` +
      `<rect class="bar" x="${labelW}" y="${y + 4}" width="${px(Math.max(0.5, x(b.value) - labelW))}" height="${row - 8}" fill="${COLORS[i % COLORS.length]}" fill-opacity="0.85"><title>${esc(b.label)}: ${f3(b.value)}${interval}</title></rect>${ci}` +
      `<text class="value" x="${px(end + 5)}" y="${y + row / 2 + 4}" font-size="10" fill="#222">${f3(b.value)}</text></g>`
    );
  });
  return svg(
    "bar-chart",
    w,
    h,
    title,
    `<text x="${labelW}" y="14" font-size="12" font-weight="bold" fill="#111">${esc(title)}</text>${axis}${rows.join("")}`,
  );
}

export interface Curve {
  label: string;
  /** y at x = 1..points.length. */
  points: readonly number[];
  intervals?: ReadonlyArray<{ k: number; low: number; high: number }>;
}

/** Recall@k curves on a log k axis with error bars where intervals exist, and end labels spread apart. */
export function curveChart(title: string, curves: readonly Curve[]): string {
  const labelW = Math.min(150, Math.max(40, ...curves.map((c) => textWidth(c.label, 10)))) + 16;
  const left = 56,
    top = 28,
    plotW = 460,
    plotH = 220;
  const w = left + plotW + labelW,
    h = top + plotH + 44;
  const kMax = Math.max(2, ...curves.map((c) => c.points.length));
  const x = (k: number) => left + (plotW * Math.log(k)) / Math.log(kMax);
  const y = (r: number) => top + plotH - plotH * Math.max(0, Math.min(1, r));
  const kTicks = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((k) => k <= kMax);
  const axes =
    xAxis(kTicks, x, top, top + plotH, "k (cut-off, log scale)", String) +
    yAxis([0, 0.25, 0.5, 0.75, 1], y, left, left + plotW, "recall@k", String);
  const ends = spreadLabels(
    curves.map((c) => y(c.points.at(-1) ?? 0)),
    12,
    top + 4,
    top + plotH,
  );
  const lines = curves.map((c, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = c.points.map((r, k) => `${px(x(k + 1))},${px(y(r))}`).join(" ");
    const bars = (c.intervals ?? [])
      .filter((b) => b.k <= c.points.length)
      .map((b) => {
        const bx = x(b.k);
        return `<path class="ci" d="M${px(bx)},${px(y(b.low))} V${px(y(b.high))} M${px(bx - 3)},${px(y(b.low))} H${px(bx + 3)} M${px(bx - 3)},${px(y(b.high))} H${px(bx + 3)}" stroke="${color}" stroke-width="1.2" fill="none"/>`;
      })
      .join("");
    const endX = x(c.points.length),
      endY = y(c.points.at(-1) ?? 0),
      labelY = ends[i]!;
    const leader =
      Math.abs(labelY - endY) > 1
        ? `<line class="leader" x1="${px(endX)}" y1="${px(endY)}" x2="${px(endX + 8)}" y2="${px(labelY)}" stroke="${color}" stroke-width="0.8"/>`
        : "";
    return `<g class="series"><polyline class="curve" fill="none" stroke="${color}" stroke-width="2" points="${pts}"><title>${esc(c.label)}</title></polyline>${bars}${leader}<text class="curve-label" x="${px(endX + 10)}" y="${px(labelY + 3.5)}" font-size="10" fill="${color}">${esc(c.label)}</text></g>`;
  });
  return svg(
    "recall-curve",
    w,
    h,
    title,
    `<text x="${left}" y="16" font-size="12" font-weight="bold" fill="#111">${esc(title)}</text>${axes}${lines.join("")}`,
  );
}

export interface ScatterPoint {
  x: number;
  y: number;
  /** A point to emphasise (e.g. a query's nearest passages). */
  marked?: boolean;
  /** The query itself, drawn as a cross. */
  query?: boolean;
}

/** A scatter plot with both axes ticked in data units (e.g. the first two principal components). */
export function scatterChart(title: string, axes: { x: string; y: string }, points: readonly ScatterPoint[]): string {
  const left = 46,
    top = 24,
    plot = 260;
  const w = left + plot + 12,
    h = top + plot + 40;
  const xs = points.map((p) => p.x),
    ys = points.map((p) => p.y);
  const xt = niceTicks(Math.min(...xs), Math.max(...xs), 4),
    yt = niceTicks(Math.min(...ys), Math.max(...ys), 4);
  const x = (v: number) => left + (plot * (v - xt[0]!)) / (xt.at(-1)! - xt[0]! || 1);
  const y = (v: number) => top + plot - (plot * (v - yt[0]!)) / (yt.at(-1)! - yt[0]! || 1);
  const fmt = (v: number) => String(Number(v.toPrecision(3)));
  const body = points
    .map((p) =>
      p.query
        ? `<path class="query-point" d="M${px(x(p.x) - 6)},${px(y(p.y))} H${px(x(p.x) + 6)} M${px(x(p.x))},${px(y(p.y) - 6)} V${px(y(p.y) + 6)}" stroke="#000" stroke-width="2"/>`
        : `<circle class="point${p.marked ? " neighbour" : ""}" cx="${px(x(p.x))}" cy="${px(y(p.y))}" r="${p.marked ? 4 : 2}" fill="${p.marked ? "#b3261e" : "#7f98b0"}" fill-opacity="${p.marked ? 1 : 0.55}"/>`,
    )
    .join("");
  return svg(
    "projection",
    w,
    h,
    title,
    `<text x="${left}" y="14" font-size="12" font-weight="bold" fill="#111">${esc(title)}</text>${xAxis(xt, x, top, top + plot, axes.x, fmt)}${yAxis(yt, y, left, left + plot, axes.y, fmt)}${body}`,
  );
}

export interface GroupedBar {
  label: string;
  values: ReadonlyArray<{ value: number; low?: number; high?: number } | null>;
}

/**
 * Paired horizontal bars per row (e.g. one system in two runs) on a 0–1 axis with intervals, and a
 * legend naming the series. Rows where a series has no value show no bar for it.
 */
export function groupedBarChart(
  title: string,
  axisTitle: string,
  series: readonly string[],
  rows: readonly GroupedBar[],
): string {
  const labelW = Math.min(150, Math.max(40, ...rows.map((r) => textWidth(r.label, 11)))) + 10;
  const bar = 12,
    gapRow = 10,
    plotW = 240,
    valueW = 44;
  // One legend line per series: names as long as run ids never run into each other.
  const top = 30 + 14 * series.length;
  const rowH = bar * series.length + gapRow;
  const w = Math.max(labelW + plotW + valueW + 8, labelW + 14 + Math.max(...series.map((s) => textWidth(s, 10)))),
    h = top + rowH * rows.length + 40;
  const x = (v: number) => labelW + plotW * Math.max(0, Math.min(1, v));
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${labelW}" y="${20 + 14 * i}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${labelW + 14}" y="${29 + 14 * i}" font-size="10" fill="#222">${esc(s)}</text>`,
    )
    .join("");
  const axis = xAxis([0, 0.2, 0.4, 0.6, 0.8, 1], x, top - 4, top + rowH * rows.length, axisTitle, String);
  const body = rows
    .map((r, i) => {
      const y0 = top + i * rowH;
      const bars = r.values
        .map((v, j) => {
          if (!v) return "";
          const y = y0 + j * bar;
          const ci = v.low !== undefined && v.high !== undefined ? whisker(x(v.low), x(v.high), y + bar / 2, 3) : "";
          const end = Math.max(x(v.value), v.high === undefined ? 0 : x(v.high));
          return `<rect class="bar" x="${labelW}" y="${y + 1}" width="${px(Math.max(0.5, x(v.value) - labelW))}" height="${bar - 2}" fill="${COLORS[j % COLORS.length]}" fill-opacity="0.85"><title>${esc(series[j])} ${esc(r.label)}: ${f3(v.value)}</title></rect>${ci}<text class="value" x="${px(end + 4)}" y="${y + bar - 2}" font-size="9" fill="#222">${f3(v.value)}</text>`;
        })
        .join("");
      return `<g class="bar-row"><text class="row-label" x="${labelW - 6}" y="${y0 + (bar * series.length) / 2 + 4}" font-size="11" text-anchor="end" fill="#222">${esc(r.label)}</text>${bars}</g>`;
    })
    .join("");
  return svg(
    "bar-chart grouped",
    w,
    h,
    title,
    `<text x="${labelW}" y="14" font-size="12" font-weight="bold" fill="#111">${esc(title)}</text>${legend}${axis}${body}`,
  );
}
