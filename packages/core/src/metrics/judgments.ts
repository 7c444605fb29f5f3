import { ValidationError } from "../errors.ts";

export interface JudgedQuery {
  id: string;
  text: string;
  judgments: Map<string, number>;
}

/**
 * Parse BEIR `queries.jsonl` + `qrels.tsv` (with or without a header line) into judged queries.
 * Lines naming an unknown query or document are refused with the offending lines listed — or, with
 * `onUnknownDocument`, a line naming a document the corpus no longer holds is handed to it and skipped
 * (judgments stored before that document was deleted).
 */
export function parseJudgments(
  queriesJsonl: string,
  qrelsTsv: string,
  knownDocuments: ReadonlySet<string>,
  options: { onUnknownDocument?: (document: string) => void } = {},
): JudgedQuery[] {
  const queries = new Map<string, string>();
  const problems: string[] = [];
  queriesJsonl.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const row = JSON.parse(line) as { _id?: unknown; id?: unknown; text?: unknown };
      const id = typeof row._id === "string" ? row._id : typeof row.id === "string" ? row.id : null;
      if (!id || typeof row.text !== "string" || !row.text.trim())
        problems.push(`queries.jsonl line ${i + 1}: needs "_id" (or "id") and "text"`);
      else queries.set(id, row.text);
    } catch {
      problems.push(`queries.jsonl line ${i + 1}: not JSON`);
    }
  });
  const judged = new Map<string, Map<string, number>>();
  qrelsTsv.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const cols = line.trim().split("\t");
    if (i === 0 && /query/i.test(cols[0] ?? "") && Number.isNaN(Number(cols[cols.length - 1]))) return;
    const [q, d, r] = cols.length === 4 ? [cols[0], cols[2], cols[3]] : cols;
    const rel = Number(r);
    if (!q || !d || !Number.isFinite(rel))
      return void problems.push(`qrels.tsv line ${i + 1}: expected "query-id<TAB>corpus-id<TAB>score"`);
    if (!queries.has(q)) return void problems.push(`qrels.tsv line ${i + 1}: unknown query "${q}"`);
    if (!knownDocuments.has(d)) {
      if (options.onUnknownDocument) return void options.onUnknownDocument(d);
      return void problems.push(`qrels.tsv line ${i + 1}: unknown document "${d}"`);
    }
    if (!judged.has(q)) judged.set(q, new Map());
    judged.get(q)!.set(d, rel);
  });
  if (problems.length) {
    const shown = problems.slice(0, 20).join("\n  ");
    throw new ValidationError(
      `judgments refused (${problems.length} problem${problems.length > 1 ? "s" : ""}):\n  ${shown}${problems.length > 20 ? "\n  …" : ""}`,
    );
  }
  return [...judged]
    .filter(([, j]) => [...j.values()].some((r) => r > 0))
    .map(([id, judgments]) => ({ id, text: queries.get(id)!, judgments }));
}
