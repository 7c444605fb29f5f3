import type { JudgedQuery } from "../metrics/judgments.ts";
import { METRIC_NAMES, type MetricSet } from "../metrics/retrieval.ts";
import { firstRelevantRank } from "./query-details.ts";
import type { ResultExport } from "./report.ts";

/** What the exports of one query set are made from: every query, every system's ranking (top 100) and metrics. */
export interface QuerySetResults {
  slug: string;
  queries: readonly JudgedQuery[];
  rankings: Readonly<Record<string, string[][]>>;
  metrics: Readonly<Record<string, MetricSet[]>>;
}

/**
 * TREC files separate fields by whitespace, so an id holding whitespace (a file name with a space) is
 * written with `%XX` escapes for whitespace and `%` — the same in runs and qrels, so tools match them.
 */
export const trecId = (id: string) =>
  id.replace(/[%\s]/gu, (c) => `%${c.codePointAt(0)!.toString(16).toUpperCase().padStart(2, "0")}`);

/** RFC 4180 quoting; a text cell that a spreadsheet would run as a formula gets a leading `'` (OWASP's advice). */
function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Per-query results as CSV, one row per query and system: the query, every metric, the rank of the first
 * expected document within the top 100 (empty when none) and the expected documents.
 */
export function perQueryCsv(r: QuerySetResults): string {
  const systems = Object.keys(r.rankings);
  const lines = [["query_id", "query", "system", ...METRIC_NAMES, "first_relevant_rank", "relevant"].join(",")];
  r.queries.forEach((q, i) => {
    const relevant = [...q.judgments]
      .filter(([, rel]) => rel > 0)
      .map(([d]) => d)
      .join(" ");
    for (const s of systems) {
      const m = r.metrics[s]![i]!;
      lines.push(
        [
          csvCell(q.id),
          csvCell(q.text),
          csvCell(s),
          ...METRIC_NAMES.map((n) => csvCell(m[n])),
          csvCell(firstRelevantRank(r.rankings[s]![i]!, q.judgments)),
          csvCell(relevant),
        ].join(","),
      );
    }
  });
  return `${lines.join("\r\n")}\r\n`;
}

/**
 * One system's ranking of every query as a TREC run file (`qid Q0 docno rank score tag`). Scores are
 * derived from the rank (depth − rank + 1) so that tools which sort by score (trec_eval breaks ties by
 * document id) see exactly the order genq ranked, ties included.
 */
export function trecRun(r: QuerySetResults, system: string): string {
  const out: string[] = [];
  r.queries.forEach((q, i) => {
    const ranking = r.rankings[system]![i]!;
    ranking.forEach((d, k) =>
      out.push(`${trecId(q.id)} Q0 ${trecId(d)} ${k + 1} ${ranking.length - k} genq-${system}`),
    );
  });
  return out.length ? `${out.join("\n")}\n` : "";
}

/** The set's judgments in TREC qrels format (`qid 0 docno relevance`). */
export function trecQrels(r: Pick<QuerySetResults, "queries">): string {
  const out: string[] = [];
  for (const q of r.queries) for (const [d, rel] of q.judgments) out.push(`${trecId(q.id)} 0 ${trecId(d)} ${rel}`);
  return out.length ? `${out.join("\n")}\n` : "";
}

/** Every export of a query set: its file names and contents (CSV, qrels, one TREC run per system). */
export function resultFiles(r: QuerySetResults): Array<ResultExport & { content: string }> {
  const files: Array<ResultExport & { content: string }> = [
    { file: `${r.slug}.csv`, set: r.slug, kind: "csv", content: perQueryCsv(r) },
    { file: `${r.slug}.qrels`, set: r.slug, kind: "qrels", content: trecQrels(r) },
  ];
  for (const system of Object.keys(r.rankings))
    files.push({ file: `${r.slug}.${system}.trec`, set: r.slug, kind: "trec", system, content: trecRun(r, system) });
  return files;
}

/** The media type of an export file. */
export const exportMediaType = (e: Pick<ResultExport, "kind">) =>
  e.kind === "csv" ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8";
