import type { ScoredDocument } from "../metrics/retrieval.ts";
import type { Encoder, PipelineRepository, SearchIndex, SearchMode } from "../ports.ts";

/** Ranks documents for a query (top 100; passage hits are collapsed to documents by the caller). */
export type Ranker = (query: string) => Promise<ScoredDocument[]>;

const RANK_DEPTH = 100;

/** A ranker over one index version in one search mode; modes other than lexical encode the query first. */
export function indexRanker(
  index: SearchIndex,
  input: { corpus: string; version: string; mode: SearchMode; encoder: Encoder | null },
): Ranker {
  return async (query) => {
    const vector =
      input.mode === "lexical" || !input.encoder ? undefined : (await input.encoder.encode([query], "query"))[0];
    const hits = await index.search({
      corpus: input.corpus,
      version: input.version,
      query,
      vector,
      k: RANK_DEPTH,
      mode: input.mode,
    });
    return hits.map((h) => ({ documentId: h.passage.documentId, score: h.score }));
  };
}

/** The systems every runtime can compare for a candidate index version: BM25, the tuned model alone, hybrid. */
export function candidateSystems(
  index: SearchIndex,
  corpus: string,
  version: string,
  encoder: Encoder,
): Record<string, Ranker> {
  return {
    bm25: indexRanker(index, { corpus, version, mode: "lexical", encoder: null }),
    tuned: indexRanker(index, { corpus, version, mode: "semantic", encoder }),
    hybrid: indexRanker(index, { corpus, version, mode: "hybrid", encoder }),
  };
}

/**
 * The index that serves the corpus now, ranked the way it serves (`mode`), or null when nothing serves
 * yet or the serving version is the candidate itself.
 */
export async function servingRanker(
  deps: { repo: PipelineRepository; index: SearchIndex; encoderFor(modelId: string): Promise<Encoder> },
  corpus: string,
  except: string,
  mode: SearchMode,
): Promise<{ version: string; rank: Ranker } | null> {
  const version = await deps.index.servingVersion(corpus);
  if (!version || version === except) return null;
  const info = await deps.repo.getIndexVersion(version);
  if (!info) return null;
  const encoder = mode === "lexical" ? null : await deps.encoderFor(info.modelId);
  return { version, rank: indexRanker(deps.index, { corpus, version, mode, encoder }) };
}
