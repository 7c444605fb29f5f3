import type { Passage, ScoredIndex, SearchHit } from "@genq/core";
import { highlighter } from "@genq/ml";
import type { Statement } from "better-sqlite3";
import { tables } from "./sqlite-index-tables.ts";

interface Row {
  rowid: number;
  passage_id: string;
  corpus: string;
  document_id: string;
  source_path: string;
  title: string;
  text: string;
  ordinal: number;
  tenant: string;
  metadata: string | null;
}

const toPassage = (r: Row): Passage => ({
  id: r.passage_id,
  corpus: r.corpus,
  documentId: r.document_id,
  sourcePath: r.source_path,
  title: r.title,
  text: r.text,
  ordinal: r.ordinal,
  ...(r.metadata ? { metadata: JSON.parse(r.metadata) as Passage["metadata"] } : {}),
});

/**
 * Turns a ranking of a version's rows into search hits: the passages read by row id (`sql` is the
 * connection's statement cache), each with its highlight and its score from every signal that ranked it.
 */
export function searchHits(sql: (text: string) => Statement<unknown[]>) {
  const rowsByIds = (tag: string, ids: number[]): Map<number, Row> => {
    if (!ids.length) return new Map();
    const rows = sql(`SELECT * FROM ${tables(tag).p} WHERE rowid IN (${ids.map(() => "?").join(",")})`).all(
      ...ids,
    ) as Row[];
    return new Map(rows.map((r) => [r.rowid, r]));
  };

  return (tag: string, query: string, ranked: ScoredIndex[], signals: Record<string, ScoredIndex[]>): SearchHit[] => {
    const rows = rowsByIds(
      tag,
      ranked.map((r) => r.index),
    );
    const highlight = highlighter(query);
    // Each signal's scores by row, looked up per hit (the first entry of a row wins, as a search through the list would).
    const byRow = (["lexical", "semantic", "sparse"] as const).map((name) => {
      const m = new Map<number, number>();
      for (const h of signals[name] ?? []) if (!m.has(h.index)) m.set(h.index, h.score);
      return [name, m] as const;
    });
    return ranked.flatMap((r) => {
      const row = rows.get(r.index);
      if (!row) return [];
      const scores: SearchHit["scores"] = {};
      for (const [name, m] of byRow) {
        const s = m.get(r.index);
        if (s !== undefined) scores[name] = s;
      }
      const hl = highlight(row.text);
      return [{ passage: toPassage(row), score: r.score, scores, highlights: hl ? [hl] : [] }];
    });
  };
}
