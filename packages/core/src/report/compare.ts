import { bootstrapDifference, type Interval } from "../metrics/bootstrap.ts";
import { METRIC_NAMES, type MetricName } from "../metrics/retrieval.ts";
import { esc, groupedBarChart } from "./charts.ts";
import { focusSystem, reportPage } from "./render-html.ts";
import type { QuerySetEvaluation, RunReport } from "./report.ts";

type Side = { metrics: Record<MetricName, number>; intervals: Partial<Record<MetricName, Interval>> } | null;

/** Two runs' results on one kind of query set, side by side. */
export interface SetComparison {
  name: string;
  source: QuerySetEvaluation["source"];
  queries: [number, number];
  systems: Array<{ system: string; a: Side; b: Side }>;
  /** Queries both runs scored (matched by text, within their drill-downs). */
  common: number;
  /** Per system: the mean paired difference b − a in nDCG@10 over the common queries, with its 95% interval. */
  paired: Array<{ system: string; difference: Interval }>;
  /** The common queries whose nDCG@10 under the focus system changed most (b − a), largest changes first. */
  changes: Array<{ query: string; a: number; b: number }>;
}

/** Two runs of a corpus compared: their verdicts, facts and every query set they share. */
export interface RunComparison {
  a: Pick<RunReport, "runId" | "createdAt" | "servingMode" | "gate">;
  b: Pick<RunReport, "runId" | "createdAt" | "servingMode" | "gate">;
  focus: string;
  facts: Array<{ name: string; a: string | number | null; b: string | number | null }>;
  sets: SetComparison[];
}

const side = (e: QuerySetEvaluation | undefined, s: string): Side => {
  const r = e?.systems[s];
  if (!r) return null;
  return { metrics: r.metrics, intervals: r.intervals ?? (r.ndcgInterval ? { "ndcg@10": r.ndcgInterval } : {}) };
};

/** nDCG@10 per system for each query text in a set's drill-down. */
function perQueryNdcg(e: QuerySetEvaluation | undefined): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const d = e?.details;
  if (!d) return out;
  for (const q of d.queries) out.set(q.text, new Map(d.systems.map((s, i) => [s, q.metrics[i]![0]!])));
  return out;
}

/**
 * Compare run A (usually the older) with run B: query sets are matched by their source (held-out
 * synthetic, judged), systems by name; per-query changes are measured on the queries both drill-downs
 * hold, with a paired bootstrap interval of b − a per system.
 */
export function compareReports(a: RunReport, b: RunReport): RunComparison {
  if (a.corpus !== b.corpus) throw new Error(`runs of different corpora cannot be compared (${a.corpus}, ${b.corpus})`);
  const focus = focusSystem(b);
  const factNames = [...new Set([...Object.keys(a.facts), ...Object.keys(b.facts)])];
  const sources = [...new Set([...a.evaluations, ...b.evaluations].map((e) => e.source))];
  const sets = sources.map((source): SetComparison => {
    const ea = a.evaluations.find((e) => e.source === source);
    const eb = b.evaluations.find((e) => e.source === source);
    const systems = [...new Set([...Object.keys(ea?.systems ?? {}), ...Object.keys(eb?.systems ?? {})])];
    const qa = perQueryNdcg(ea),
      qb = perQueryNdcg(eb);
    const common = [...qa.keys()].filter((t) => qb.has(t));
    const paired = systems
      .filter((s) => common.length && common.every((t) => qa.get(t)!.has(s) && qb.get(t)!.has(s)))
      .map((s) => ({
        system: s,
        difference: bootstrapDifference(
          common.map((t) => qb.get(t)!.get(s)!),
          common.map((t) => qa.get(t)!.get(s)!),
        ),
      }));
    const changes = common
      .filter((t) => qa.get(t)!.has(focus) && qb.get(t)!.has(focus))
      .map((t) => ({ query: t, a: qa.get(t)!.get(focus)!, b: qb.get(t)!.get(focus)! }))
      .filter((c) => c.a !== c.b)
      .sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a) || (x.query < y.query ? -1 : 1))
      .slice(0, 20);
    return {
      name: (eb ?? ea)!.name,
      source,
      queries: [ea?.queries ?? 0, eb?.queries ?? 0],
      systems: systems.map((s) => ({ system: s, a: side(ea, s), b: side(eb, s) })),
      common: common.length,
      paired,
      changes,
    };
  });
  const pick = (r: RunReport) => ({ runId: r.runId, createdAt: r.createdAt, servingMode: r.servingMode, gate: r.gate });
  return {
    a: pick(a),
    b: pick(b),
    focus,
    facts: factNames.map((n) => ({ name: n, a: a.facts[n] ?? null, b: b.facts[n] ?? null })),
    sets,
  };
}

const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? "+" : "−"}${f3(Math.abs(x))}`;
const cls = (x: number) => (x > 0 ? "up" : x < 0 ? "down" : "");

function setSection(s: SetComparison, c: RunComparison): string {
  const head = METRIC_NAMES.map(
    (m) => `<th scope="col">${m} A</th><th scope="col">${m} B</th><th scope="col">Δ</th>`,
  ).join("");
  const rows = s.systems
    .map((r) => {
      const cells = METRIC_NAMES.map((m) => {
        const va = r.a?.metrics[m],
          vb = r.b?.metrics[m];
        const d = va !== undefined && vb !== undefined ? vb - va : null;
        return `<td class="num">${va === undefined ? "—" : f3(va)}</td><td class="num">${vb === undefined ? "—" : f3(vb)}</td><td class="num ${d === null ? "" : cls(d)}">${d === null ? "—" : signed(d)}</td>`;
      }).join("");
      return `<tr><th scope="row">${esc(r.system)}</th>${cells}</tr>`;
    })
    .join("");
  const charts = METRIC_NAMES.map((m) =>
    groupedBarChart(
      `${m}: A vs B`,
      `${m} (whiskers: 95% CI)`,
      [`A ${c.a.runId}`, `B ${c.b.runId}`],
      s.systems.map((r) => ({
        label: r.system,
        values: [r.a, r.b].map((x) => {
          if (!x) return null;
          const i = x.intervals[m];
          return { value: x.metrics[m], ...(i ? { low: i.low, high: i.high } : {}) };
        }),
      })),
    ),
  ).join("");
  const paired = s.paired.length
    ? `<ul class="paired">${s.paired.map((p) => `<li>${esc(p.system)}: B − A = ${signed(p.difference.mean)} nDCG@10, 95% CI [${f3(p.difference.low)}, ${f3(p.difference.high)}]</li>`).join("")}</ul>`
    : "<p>The two runs share no scored queries in this set, so no paired difference is measured.</p>";
  const changes = s.changes.length
    ? `<table class="changes"><thead><tr><th scope="col">query</th><th scope="col">A</th><th scope="col">B</th><th scope="col">Δ</th></tr></thead><tbody>${s.changes.map((x) => `<tr><td>${esc(x.query)}</td><td class="num">${f3(x.a)}</td><td class="num">${f3(x.b)}</td><td class="num ${cls(x.b - x.a)}">${signed(x.b - x.a)}</td></tr>`).join("")}</tbody></table>`
    : "<p>No common query changed.</p>";
  return `<section class="set-comparison"><h2>${esc(s.name)} <small>(A: ${s.queries[0]} queries, B: ${s.queries[1]}; ${s.common} in common)</small></h2>
<div class="scroll"><table class="metrics"><thead><tr><th scope="col">system</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>
<div class="charts">${charts}</div><h3>On the queries both runs scored (paired bootstrap)</h3>${paired}
<h3>Queries that changed most (${esc(c.focus)}, nDCG@10)</h3>${changes}</section>`;
}

/** The comparison as a self-contained page (no scripts, no network). */
export function renderComparisonHtml(c: RunComparison): string {
  const verdict = (x: RunComparison["a"]) =>
    `<td class="${x.gate.promote ? "up" : "down"}">${x.gate.promote ? "promoted" : "not promoted"}: ${esc(x.gate.reason)}</td>`;
  const facts = c.facts
    .map(
      (f) =>
        `<tr><th scope="row">${esc(f.name)}</th><td>${f.a === null ? "—" : esc(f.a)}</td><td>${f.b === null ? "—" : esc(f.b)}</td></tr>`,
    )
    .join("");
  const body = `<h1>genq runs compared</h1>
<table class="runs"><thead><tr><th scope="col"></th><th scope="col">A</th><th scope="col">B</th></tr></thead><tbody>
<tr><th scope="row">run</th><td>${esc(c.a.runId)}</td><td>${esc(c.b.runId)}</td></tr>
<tr><th scope="row">evaluated</th><td>${esc(c.a.createdAt)}</td><td>${esc(c.b.createdAt)}</td></tr>
<tr><th scope="row">serving setup</th><td>${esc(c.a.servingMode)}</td><td>${esc(c.b.servingMode)}</td></tr>
<tr><th scope="row">gate</th>${verdict(c.a)}${verdict(c.b)}</tr>${facts}</tbody></table>
${c.sets.map((s) => setSection(s, c)).join("\n")}`;
  return reportPage(`genq · ${c.a.runId} vs ${c.b.runId}`, body);
}
