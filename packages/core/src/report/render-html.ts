import { METRIC_NAMES } from "../metrics/retrieval.ts";
import type { EmbeddingProjection, QuerySetEvaluation, RunReport } from "./report.ts";

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#9c755f"];
const f3 = (x: number) => x.toFixed(3);

function barChart(title: string, values: Array<[string, number]>): string {
  const w = 320, h = 180, pad = 30, bw = (w - pad * 2) / Math.max(1, values.length);
  const max = Math.max(0.001, ...values.map(([, v]) => v));
  const bars = values.map(([name, v], i) => {
    const bh = ((h - pad * 2) * v) / max;
    const x = pad + i * bw + 4, y = h - pad - bh;
    return `<rect class="bar" x="${x}" y="${y}" width="${bw - 8}" height="${bh}" fill="${COLORS[i % COLORS.length]}"><title>${esc(name)}: ${f3(v)}</title></rect>` +
      `<text x="${x + (bw - 8) / 2}" y="${y - 4}" font-size="10" text-anchor="middle">${f3(v)}</text>` +
      `<text x="${x + (bw - 8) / 2}" y="${h - pad + 14}" font-size="10" text-anchor="middle">${esc(name)}</text>`;
  });
  return `<svg class="chart bar-chart" width="${w}" height="${h}" role="img" aria-label="${esc(title)}"><text x="${w / 2}" y="14" font-size="12" text-anchor="middle" font-weight="bold">${esc(title)}</text><line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/>${bars.join("")}</svg>`;
}

function recallCurves(e: QuerySetEvaluation): string {
  const w = 520, h = 260, pad = 40;
  const x = (k: number) => pad + ((w - pad * 2) * Math.log(k)) / Math.log(100);
  const y = (r: number) => h - pad - (h - pad * 2) * r;
  const lines = Object.entries(e.systems).map(([name, s], i) => {
    const pts = s.recallCurve.map((r, k) => `${x(k + 1).toFixed(1)},${y(r).toFixed(1)}`).join(" ");
    return `<polyline class="curve" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${pts}"><title>${esc(name)}</title></polyline>` +
      `<text x="${w - pad + 4}" y="${y(s.recallCurve[99] ?? 0) + 4}" font-size="10" fill="${COLORS[i % COLORS.length]}">${esc(name)}</text>`;
  });
  const ticks = [1, 5, 10, 20, 50, 100].map((k) => `<text x="${x(k)}" y="${h - pad + 14}" font-size="10" text-anchor="middle">${k}</text>`).join("");
  const yt = [0, 0.25, 0.5, 0.75, 1].map((r) => `<text x="${pad - 6}" y="${y(r) + 3}" font-size="10" text-anchor="end">${r}</text>`).join("");
  return `<svg class="chart recall-curve" width="${w + 40}" height="${h}" role="img" aria-label="recall at k"><text x="${w / 2}" y="14" font-size="12" text-anchor="middle" font-weight="bold">Recall@k (k on a log scale)</text><rect x="${pad}" y="${pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#ccc"/>${ticks}${yt}${lines.join("")}</svg>`;
}

function scatter(p: EmbeddingProjection): string {
  return p.models.map((m) => {
    const w = 300, h = 300, pad = 12;
    const xs = m.points.map((q) => q.x), ys = m.points.map((q) => q.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const sx = (v: number) => pad + ((w - 2 * pad) * (v - x0)) / (x1 - x0 || 1);
    const sy = (v: number) => h - pad - ((h - 2 * pad) * (v - y0)) / (y1 - y0 || 1);
    const dots = m.points.map((q) =>
      q.query
        ? `<path class="query-point" d="M${sx(q.x) - 6},${sy(q.y)} L${sx(q.x) + 6},${sy(q.y)} M${sx(q.x)},${sy(q.y) - 6} L${sx(q.x)},${sy(q.y) + 6}" stroke="#000" stroke-width="2"/>`
        : `<circle class="point${q.neighbour ? " neighbour" : ""}" cx="${sx(q.x).toFixed(1)}" cy="${sy(q.y).toFixed(1)}" r="${q.neighbour ? 4 : 2}" fill="${q.neighbour ? "#e15759" : "#9ab"}" fill-opacity="${q.neighbour ? 1 : 0.5}"/>`,
    );
    return `<figure><svg class="chart projection" width="${w}" height="${h}" role="img" aria-label="${esc(m.name)} projection"><rect width="${w}" height="${h}" fill="none" stroke="#ccc"/>${dots.join("")}</svg><figcaption>${esc(m.name)}</figcaption></figure>`;
  }).join("");
}

function evaluationSection(e: QuerySetEvaluation): string {
  const systems = Object.keys(e.systems);
  const ci = (s: string) => {
    const i = e.systems[s]!.ndcgInterval;
    return i ? `<td class="ci">[${f3(i.low)}, ${f3(i.high)}]</td>` : "<td></td>";
  };
  const rows = systems.map((s) => `<tr><th>${esc(s)}</th>${METRIC_NAMES.map((m) => `<td>${f3(e.systems[s]!.metrics[m])}</td>`).join("")}${ci(s)}</tr>`).join("");
  const ablation = e.ablation
    ? `<p class="ablation">What fine-tuning adds: ${esc(e.ablation.system)} − ${esc(e.ablation.without)} = ${e.ablation.difference.mean >= 0 ? "+" : ""}${f3(e.ablation.difference.mean)} nDCG@10, 95% CI [${f3(e.ablation.difference.low)}, ${f3(e.ablation.difference.high)}] (bootstrap over queries)</p>`
    : "";
  const charts = METRIC_NAMES.map((m) => barChart(m, systems.map((s) => [s, e.systems[s]!.metrics[m]] as [string, number]))).join("");
  const sig = e.significance.map((s) => `<li>${esc(s.system)} vs ${esc(s.against)}: mean ΔnDCG@10 ${s.meanDifference >= 0 ? "+" : ""}${f3(s.meanDifference)}, p = ${s.pValue.toFixed(4)} (paired randomisation test)</li>`).join("");
  const list = (items: QuerySetEvaluation["wins"]) =>
    items.length ? `<table><tr><th>query</th>${systems.map((s) => `<th>${esc(s)}</th>`).join("")}</tr>${items.map((o) => `<tr><td>${esc(o.query)}</td>${systems.map((s) => `<td>${f3(o.ndcg[s] ?? 0)}</td>`).join("")}</tr>`).join("")}</table>` : "<p>none</p>";
  return `<section><h2>${esc(e.name)} <small>(${e.queries} queries, ${esc(e.source)})</small></h2>
<table class="metrics"><tr><th>system</th>${METRIC_NAMES.map((m) => `<th>${m}</th>`).join("")}<th>nDCG@10 95% CI</th></tr>${rows}</table>
${ablation}<div class="charts">${charts}</div>${recallCurves(e)}<ul>${sig}</ul>
<h3>Biggest wins over BM25 (nDCG@10)</h3>${list(e.wins)}<h3>Biggest losses against BM25</h3>${list(e.losses)}</section>`;
}

/** How each serving setup was calibrated (validation split) and how it scored (test split); what was cleaned out. */
function calibrationSection(r: RunReport): string {
  const rows = (r.calibration ?? []).map((c) => `<tr><th>${esc(c.setup.name)}${r.gate.setup?.name === c.setup.name ? " (serves)" : ""}</th><td>${["lexical", "sparse", "semantic"].map((k) => f3(c.setup.weights[k as "lexical"])).join(" / ")}</td><td>${f3(c.validationNdcg)}</td><td>${f3(c.testNdcg)}</td></tr>`).join("");
  const dropped = Object.entries(r.heldout?.dropped ?? {}).map(([why, n]) => `${esc(why)}: ${n}`).join(", ");
  return (rows ? `<h2>Serving setups</h2><table><tr><th>setup</th><th>weights BM25 / TF-IDF / tuned</th><th>nDCG@10 validation</th><th>nDCG@10 test</th></tr>${rows}</table>` : "") +
    (r.heldout ? `<p>Held-out queries: ${r.heldout.generated} generated, ${r.heldout.scored} scored (${r.heldout.validation} validation, ${r.heldout.test} test)${dropped ? `; dropped — ${dropped}` : ""}.</p>` : "");
}

/** A self-contained HTML page (inline CSS and SVG, no scripts, no network) for a run report. */
export function renderReportHtml(r: RunReport): string {
  const facts = Object.entries(r.facts).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>genq report · ${esc(r.corpus)} · ${esc(r.runId)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}.charts{display:flex;flex-wrap:wrap;gap:8px}.gate{padding:.6em 1em;border-radius:6px}.gate.pass{background:#e6f4ea}.gate.fail{background:#fde8e8}figure{display:inline-block;margin:0 1em 0 0}</style></head><body>
<h1>genq evaluation report</h1><p>corpus <b>${esc(r.corpus)}</b> · run <b>${esc(r.runId)}</b> · ${esc(r.createdAt)} · serving setup <b>${esc(r.servingMode)}</b></p>
<p class="gate ${r.gate.promote ? "pass" : "fail"}"><b>${r.gate.promote ? "Promoted" : "Not promoted"}</b>: ${esc(r.gate.reason)}</p>
<h2>Run facts</h2><table>${facts}</table>
${calibrationSection(r)}
${r.evaluations.map(evaluationSection).join("\n")}
${r.projection ? `<section><h2>Passage embeddings (PCA), base vs tuned</h2><p>Red: the 10 nearest passages to the query “${esc(r.projection.query)}” (cross).</p>${scatter(r.projection)}</section>` : ""}
${r.modelCard ? `<section><h2>Model card</h2><pre>${esc(JSON.stringify(r.modelCard, null, 2))}</pre></section>` : ""}
</body></html>\n`;
}
