import type { JudgedQuery } from "../metrics/judgments.ts";
import { METRIC_NAMES, type MetricSet } from "../metrics/retrieval.ts";
import { esc } from "./charts.ts";
import type { QueryDetails, QuerySetEvaluation } from "./report.ts";

/** At most this many queries per set keep their drill-down in report.json (the exports hold every query). */
export const MAX_DETAIL_QUERIES = 500;
/** Results kept per system and query for the drill-down. */
export const DETAIL_DEPTH = 10;
const MAX_RELEVANT_LISTED = 20;

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The 1-based rank of the first relevant document in a ranking, or null when none is there. */
export function firstRelevantRank(ranking: readonly string[], judgments: ReadonlyMap<string, number>): number | null {
  const i = ranking.findIndex((d) => (judgments.get(d) ?? 0) > 0);
  return i < 0 ? null : i + 1;
}

/**
 * The bounded per-query drill-down of a query set: for the first `MAX_DETAIL_QUERIES` queries, the
 * expected documents, each system's metrics, top 10 and the rank of the first expected document.
 */
export function buildQueryDetails(
  queries: readonly JudgedQuery[],
  rankings: Readonly<Record<string, string[][]>>,
  metrics: Readonly<Record<string, MetricSet[]>>,
): QueryDetails {
  const systems = Object.keys(rankings);
  const documents: string[] = [];
  const indexOf = new Map<string, number>();
  const ref = (id: string) => {
    let i = indexOf.get(id);
    if (i === undefined) indexOf.set(id, (i = documents.push(id) - 1));
    return i;
  };
  const shown = queries.slice(0, MAX_DETAIL_QUERIES);
  return {
    systems,
    documents,
    total: queries.length,
    queries: shown.map((q, qi) => {
      const relevant = [...q.judgments]
        .filter(([, r]) => r > 0)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .map(([d]) => d);
      return {
        id: q.id,
        text: q.text,
        relevant: relevant.slice(0, MAX_RELEVANT_LISTED).map(ref),
        relevantCount: relevant.length,
        metrics: systems.map((s) => METRIC_NAMES.map((m) => round4(metrics[s]![qi]![m]))),
        firstRelevant: systems.map((s) => firstRelevantRank(rankings[s]![qi]!, q.judgments)),
        top: systems.map((s) => rankings[s]![qi]!.slice(0, DETAIL_DEPTH).map(ref)),
      };
    }),
  };
}

/** One query's drill-down: the expected documents and, per system, its top 10 with the expected ones marked. */
export function renderQueryDetail(details: QueryDetails, index: number): string {
  const q = details.queries[index]!;
  const docs = details.documents;
  const expected = new Set(q.relevant);
  const more = q.relevantCount > q.relevant.length ? ` and ${q.relevantCount - q.relevant.length} more` : "";
  const head = details.systems.map((s) => `<th scope="col">${esc(s)}</th>`).join("");
  const rows = Array.from({ length: DETAIL_DEPTH }, (_, r) => {
    const cells = details.systems.map((_, si) => {
      const d = q.top[si]![r];
      if (d === undefined) return "<td></td>";
      return expected.has(d)
        ? `<td class="hit"><span aria-label="expected">✓</span> ${esc(docs[d])}</td>`
        : `<td>${esc(docs[d])}</td>`;
    });
    return `<tr><th scope="row">${r + 1}</th>${cells.join("")}</tr>`;
  }).join("");
  const first = details.systems
    .map((_, si) => `<td>${q.firstRelevant[si] === null ? "not in top 100" : `rank ${q.firstRelevant[si]}`}</td>`)
    .join("");
  const ndcg = details.systems.map((_, si) => `<td>${q.metrics[si]![0]!.toFixed(3)}</td>`).join("");
  return (
    `<div class="query-body"><p class="expected"><b>Expected:</b> ${q.relevant.map((d) => `<code>${esc(docs[d])}</code>`).join(", ")}${more}</p>` +
    `<div class="scroll"><table class="ranks"><caption>What each system returned (✓ expected)</caption><thead><tr><th scope="col">rank</th>${head}</tr></thead><tbody>${rows}</tbody>` +
    `<tfoot><tr><th scope="row">first expected</th>${first}</tr><tr><th scope="row">nDCG@10</th>${ndcg}</tr></tfoot></table></div></div>`
  );
}

/** The queries shown in report.html's drill-down per set (the console and the exports reach the rest). */
export const HTML_DETAIL_QUERIES = 100;

/**
 * The drill-down section of a query set: the queries where `focus` (the serving system) did worst first,
 * each a disclosure with the query's summary line and its detail.
 */
export function renderDrilldown(e: QuerySetEvaluation, focus: string): string {
  const d = e.details;
  if (!d || !d.queries.length) return "";
  const fi = Math.max(0, d.systems.indexOf(focus));
  const order = d.queries
    .map((_, i) => i)
    .sort((a, b) => d.queries[a]!.metrics[fi]![0]! - d.queries[b]!.metrics[fi]![0]! || a - b)
    .slice(0, HTML_DETAIL_QUERIES);
  const items = order.map((i) => {
    const q = d.queries[i]!;
    const chips = d.systems
      .map((s, si) => `<span class="chip">${esc(s)} ${q.metrics[si]![0]!.toFixed(2)}</span>`)
      .join(" ");
    return `<details class="query" data-query="${esc(q.text.toLowerCase())}" data-query-id="${esc(q.id)}"><summary><span class="query-text">${esc(q.text)}</span> <span class="chips">${chips}</span></summary>${renderQueryDetail(d, i)}</details>`;
  });
  const shown = order.length < d.total ? `${order.length} of ${d.total} queries` : `${d.total} queries`;
  return `<h3>Per-query results <small>(${shown}, where ${esc(d.systems[fi] ?? focus)} did worst first; nDCG@10 per system)</small></h3><div class="drilldown">${items.join("")}</div>`;
}
