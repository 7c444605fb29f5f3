import type { ScoredDocument } from "../metrics/retrieval.ts";
import type { Encoder, SearchHit, SearchIndex } from "../ports.ts";
import { fuseScores, type HybridWeights } from "../search/fusion.ts";

/** One signal's candidate passages for a query, best first. */
export interface SignalHit {
  passageId: string;
  documentId: string;
  score: number;
}

/** Every signal's candidates for one query; `sparse` is null where the runtime has no TF-IDF signal. */
export interface SignalLists {
  lexical: SignalHit[];
  sparse: SignalHit[] | null;
  semantic: SignalHit[];
}

/** The candidates each signal contributes (the same depth as the index's own hybrid search). */
export const SIGNAL_DEPTH = 100;

const toSignal = (hits: SearchHit[]): SignalHit[] =>
  hits.map((h) => ({ passageId: h.passage.id, documentId: h.passage.documentId, score: h.score }));

/**
 * The signals of one index version: BM25 and the tuned model through the index, and the runtime's
 * TF-IDF signal where it has one.
 */
export function indexSignals(
  deps: { index: SearchIndex; sparse?: (version: string, query: string, k: number) => Promise<SearchHit[]> },
  input: { corpus: string; version: string; encoder: Encoder },
): (query: string) => Promise<SignalLists> {
  return async (query) => {
    const [vector] = await input.encoder.encode([query], "query");
    const search = (mode: "lexical" | "semantic") =>
      deps.index.search({ corpus: input.corpus, version: input.version, query, vector, k: SIGNAL_DEPTH, mode });
    return {
      lexical: toSignal(await search("lexical")),
      sparse: deps.sparse ? toSignal(await deps.sparse(input.version, query, SIGNAL_DEPTH)) : null,
      semantic: toSignal(await search("semantic")),
    };
  };
}

/**
 * Rank documents by fusing the signals with `weights`, exactly as the index's hybrid search mixes them
 * (min-max normalised per signal, weighted, summed; a document scores as its best passage). A single
 * signal with weight keeps its own order.
 */
export function fuseSignals(lists: SignalLists, weights: HybridWeights): ScoredDocument[] {
  const ids = new Map<string, number>();
  const docs: string[] = [];
  const indexOf = (h: SignalHit) => {
    let i = ids.get(h.passageId);
    if (i === undefined) {
      ids.set(h.passageId, (i = docs.length));
      docs.push(h.documentId);
    }
    return i;
  };
  const ranking = (hits: SignalHit[] | null, weight: number) => ({
    weight,
    hits: (hits ?? []).map((h) => ({ index: indexOf(h), score: h.score })),
  });
  const fused = fuseScores([
    ranking(lists.lexical, weights.lexical),
    ranking(lists.sparse, weights.sparse),
    ranking(lists.semantic, weights.semantic),
  ]);
  return fused.map((f) => ({ documentId: docs[f.index]!, score: f.score }));
}
