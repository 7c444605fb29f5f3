import { METRIC_NAMES } from "../metrics/retrieval.ts";
import { barChart, curveChart, esc, scatterChart } from "./charts.ts";
import { renderDrilldown } from "./query-details.ts";
import type { EmbeddingProjection, QuerySetEvaluation, RunReport } from "./report.ts";
import { SYSTEM_OF_SETUP } from "../stages/setup-systems.ts";

const f3 = (x: number) => x.toFixed(3);

/** The report's style, scoped to `.genq-report` so the same markup reads the same inside the console. */
export const REPORT_CSS = `.genq-report{font:14px/1.45 system-ui,sans-serif;color:#1d1d1d;background:#fff;max-width:1200px;margin:0 auto;padding:1.5em 2em}
.genq-report table{border-collapse:collapse;margin:.5em 0}.genq-report td,.genq-report th{border:1px solid #d4d4d4;padding:3px 8px;text-align:left;vertical-align:top}
.genq-report .num{text-align:right;font-variant-numeric:tabular-nums}.genq-report .charts{display:flex;flex-wrap:wrap;gap:12px}
.genq-report .gate{padding:.6em 1em;border-radius:6px}.genq-report .gate.pass{background:#e6f4ea}.genq-report .gate.fail{background:#fde8e8}
.genq-report figure{display:inline-block;margin:0 1em 0 0}.genq-report .scroll{overflow-x:auto}
.genq-report details.query{border:1px solid #d4d4d4;border-radius:4px;margin:4px 0;padding:2px 8px}.genq-report details.query[open]{background:#fafafa}
.genq-report summary{cursor:pointer;padding:2px 0}.genq-report summary:focus-visible{outline:2px solid #1f5f99;outline-offset:2px}
.genq-report .chip{display:inline-block;font-size:12px;color:#333;background:#eef1f4;border-radius:3px;padding:0 4px;margin-left:2px}
.genq-report td.hit{background:#e6f4ea;font-weight:600}.genq-report .up{color:#1b5e20}.genq-report .down{color:#b3261e}
.genq-report caption{text-align:left;font-size:12px;color:#444}.genq-report small{color:#444}.genq-report .exports a{margin-right:1em}`;

/** A whole page around report markup (shared by the report and the comparison). */
export function reportPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>body{margin:0}${REPORT_CSS}</style></head><body><main class="genq-report">${body}</main></body></html>\n`;
}

function scatter(p: EmbeddingProjection): string {
  return p.models
    .map(
      (m) =>
        `<figure>${scatterChart(
          `${m.name}: passages and the query`,
          { x: "principal component 1", y: "principal component 2" },
          m.points.map((q) => ({ x: q.x, y: q.y, marked: q.neighbour, ...(q.query ? { query: true } : {}) })),
        )}<figcaption>${esc(m.name)}</figcaption></figure>`,
    )
    .join("");
}

const interval = (e: QuerySetEvaluation, s: string, m: (typeof METRIC_NAMES)[number]) =>
  e.systems[s]!.intervals?.[m] ?? (m === "ndcg@10" ? e.systems[s]!.ndcgInterval : undefined);

function evaluationSection(e: QuerySetEvaluation, focus: string, exportLinks: boolean, report: RunReport): string {
  const systems = Object.keys(e.systems);
  const ci = (s: string) => {
    const i = interval(e, s, "ndcg@10");
    return i ? `<td class="ci num">[${f3(i.low)}, ${f3(i.high)}]</td>` : "<td></td>";
  };
  const rows = systems
    .map(
      (s) =>
        `<tr><th scope="row">${esc(s)}</th>${METRIC_NAMES.map((m) => `<td class="num">${f3(e.systems[s]!.metrics[m])}</td>`).join("")}${ci(s)}</tr>`,
    )
    .join("");
  const ablation = e.ablation
    ? `<p class="ablation">What fine-tuning adds: ${esc(e.ablation.system)} − ${esc(e.ablation.without)} = ${e.ablation.difference.mean >= 0 ? "+" : ""}${f3(e.ablation.difference.mean)} nDCG@10, 95% CI [${f3(e.ablation.difference.low)}, ${f3(e.ablation.difference.high)}] (bootstrap over queries)</p>`
    : "";
  const charts = METRIC_NAMES.map((m) =>
    barChart(
      `${m} by system`,
      `${m} (bars: mean; whiskers: 95% CI)`,
      systems.map((s) => {
        const i = interval(e, s, m);
        return { label: s, value: e.systems[s]!.metrics[m], ...(i ? { low: i.low, high: i.high } : {}) };
      }),
    ),
  ).join("");
  const curves = curveChart(
    "Recall@k (error bars: 95% CI)",
    systems.map((s) => ({
      label: s,
      points: e.systems[s]!.recallCurve,
      ...(e.systems[s]!.recallIntervals ? { intervals: e.systems[s]!.recallIntervals } : {}),
    })),
  );
  const sig = e.significance
    .map(
      (s) =>
        `<li>${esc(s.system)} vs ${esc(s.against)}: mean ΔnDCG@10 ${s.meanDifference >= 0 ? "+" : ""}${f3(s.meanDifference)}, p = ${s.pValue.toFixed(4)} (paired randomisation test)</li>`,
    )
    .join("");
  const list = (items: QuerySetEvaluation["wins"]) =>
    items.length
      ? `<div class="scroll"><table><thead><tr><th scope="col">query</th>${systems.map((s) => `<th scope="col">${esc(s)}</th>`).join("")}</tr></thead><tbody>${items.map((o) => `<tr><td>${esc(o.query)}</td>${systems.map((s) => `<td class="num">${f3(o.ndcg[s] ?? 0)}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`
      : "<p>none</p>";
  const files = (report.exports ?? []).filter((x) => x.set === e.slug);
  const exportsHtml =
    exportLinks && files.length
      ? `<p class="exports">Per-query results: ${files.map((x) => `<a href="results/${encodeURIComponent(x.file)}" download>${esc(x.kind === "trec" ? `TREC run (${x.system})` : x.kind === "qrels" ? "qrels" : "CSV")}</a>`).join(" ")}</p>`
      : "";
  return `<section class="query-set" data-set="${esc(e.slug ?? e.name)}"><h2>${esc(e.name)} <small>(${e.queries} queries, ${esc(e.source)})</small></h2>
<div class="scroll"><table class="metrics"><thead><tr><th scope="col">system</th>${METRIC_NAMES.map((m) => `<th scope="col">${m}</th>`).join("")}<th scope="col">nDCG@10 95% CI</th></tr></thead><tbody>${rows}</tbody></table></div>
${ablation}${exportsHtml}<div class="charts">${charts}</div>${curves}<ul>${sig}</ul>
<h3>Biggest wins over BM25 (nDCG@10)</h3>${list(e.wins)}<h3>Biggest losses against BM25</h3>${list(e.losses)}
${renderDrilldown(e, focus)}</section>`;
}

/** How each serving setup was calibrated (validation split) and how it scored (test split); what was cleaned out. */
function calibrationSection(r: RunReport): string {
  const rows = (r.calibration ?? [])
    .map(
      (c) =>
        `<tr><th scope="row">${esc(c.setup.name)}${r.gate.setup?.name === c.setup.name ? " (serves)" : ""}</th><td class="num">${["lexical", "sparse", "semantic"].map((k) => f3(c.setup.weights[k as "lexical"])).join(" / ")}</td><td class="num">${f3(c.validationNdcg)}</td><td class="num">${f3(c.testNdcg)}</td></tr>`,
    )
    .join("");
  const dropped = Object.entries(r.heldout?.dropped ?? {})
    .map(([why, n]) => `${esc(why)}: ${n}`)
    .join(", ");
  return (
    (rows
      ? `<h2>Serving setups</h2><table><thead><tr><th scope="col">setup</th><th scope="col">weights BM25 / TF-IDF / tuned</th><th scope="col">nDCG@10 validation</th><th scope="col">nDCG@10 test</th></tr></thead><tbody>${rows}</tbody></table>`
      : "") +
    (r.heldout
      ? `<p>Held-out queries: ${r.heldout.generated} generated, ${r.heldout.scored} scored (${r.heldout.validation} validation, ${r.heldout.test} test)${dropped ? `; dropped — ${dropped}` : ""}.</p>`
      : "")
  );
}

/** The system the report's drill-down and wins focus on: the one the chosen setup serves as. */
export const focusSystem = (r: Pick<RunReport, "servingMode" | "evaluations">) => {
  const system = SYSTEM_OF_SETUP[r.servingMode as keyof typeof SYSTEM_OF_SETUP] ?? "hybrid";
  return r.evaluations[0]?.systems[system] ? system : "hybrid";
};

/** The report's markup (no page around it). `exportLinks` adds links to the result files beside report.html. */
export function renderReportBody(r: RunReport, options: { exportLinks?: boolean } = {}): string {
  const facts = Object.entries(r.facts)
    .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join("");
  const focus = focusSystem(r);
  return `<h1>genq evaluation report</h1><p>corpus <b>${esc(r.corpus)}</b> · run <b>${esc(r.runId)}</b> · ${esc(r.createdAt)} · serving setup <b>${esc(r.servingMode)}</b></p>
<p class="gate ${r.gate.promote ? "pass" : "fail"}"><b>${r.gate.promote ? "Promoted" : "Not promoted"}</b>: ${esc(r.gate.reason)}</p>
<h2>Run facts</h2><table><tbody>${facts}</tbody></table>
${calibrationSection(r)}
${r.evaluations.map((e) => evaluationSection(e, focus, options.exportLinks ?? false, r)).join("\n")}
${r.projection ? `<section><h2>Passage embeddings (PCA), base vs tuned</h2><p>Red: the 10 nearest passages to the query “${esc(r.projection.query)}” (cross).</p>${scatter(r.projection)}</section>` : ""}
${r.modelCard ? `<section><h2>Model card</h2><pre>${esc(JSON.stringify(r.modelCard, null, 2))}</pre></section>` : ""}`;
}

/**
 * A self-contained HTML page (inline CSS and SVG, no scripts, no network) for a run report. With
 * `exportLinks` (the file written beside the results) it links the per-query result files.
 */
export function renderReportHtml(r: RunReport, options: { exportLinks?: boolean } = {}): string {
  return reportPage(`genq report · ${r.corpus} · ${r.runId}`, renderReportBody(r, options));
}
