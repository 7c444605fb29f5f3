import {
  DEFAULT_HYBRID_WEIGHTS,
  ValidationError,
  metadataTerms,
  type HybridWeights,
  type IndexItem,
  type Metadata,
  type Passage,
  type SearchFilter,
} from "@genq/core";

/**
 * What genq sends OpenSearch and reads back, as plain data: passage documents, query clauses, the hybrid
 * search pipeline and its name (the index adapter, opensearch-search-index.ts, sends them).
 */

export const PIPELINE = "genq-hybrid";

/** A passage document's `_source`. */
export interface Source {
  passageId: string;
  corpus: string;
  documentId: string;
  sourcePath: string;
  title: string;
  text: string;
  ordinal: number;
  tenant: string;
  revision?: string;
  trained?: boolean;
  metadata?: Metadata;
  metadataTerms?: string[];
}

/** A search filter as OpenSearch filter clauses (term, prefix, and `terms` on `metadataTerms` per key). */
export const searchFilters = (filter?: SearchFilter) => [
  ...(filter?.sourcePath ? [{ term: { sourcePath: filter.sourcePath } }] : []),
  ...(filter?.sourcePathPrefix ? [{ prefix: { sourcePath: { value: filter.sourcePathPrefix } } }] : []),
  ...(filter?.documentId ? [{ term: { documentId: filter.documentId } }] : []),
  ...(filter?.tenant ? [{ term: { tenant: filter.tenant } }] : []),
  ...Object.entries(filter?.metadata ?? {}).map(([key, value]) => ({
    terms: { metadataTerms: metadataTerms({ [key]: value }) },
  })),
];

/** A passage as its OpenSearch document (id and `_source`), stamped with its version's tenant. */
export const passageDocument = (tenant: string, { passage: p, vector, trained }: IndexItem) => ({
  id: p.id,
  doc: {
    passageId: p.id,
    corpus: p.corpus,
    documentId: p.documentId,
    sourcePath: p.sourcePath,
    title: p.title,
    text: p.text,
    ordinal: p.ordinal,
    tenant,
    revision: p.revision ?? "",
    trained: trained !== false,
    ...(p.metadata ? { metadata: p.metadata, metadataTerms: metadataTerms(p.metadata) } : {}),
    embedding: Array.from(vector),
  },
});

/** BM25 over title and text. */
export const lexicalQuery = (query: string) => ({
  multi_match: { query, fields: ["title", "text"], type: "most_fields" },
});

/** k-NN over the embedding, the search filter applied inside the k-NN query. */
export const knnQuery = (vector: Float32Array, k: number, filter?: SearchFilter) => ({
  knn: {
    embedding: {
      vector: Array.from(vector),
      k,
      ...(searchFilters(filter).length ? { filter: { bool: { filter: searchFilters(filter) } } } : {}),
    },
  },
});

/** The passage a search hit's `_source` holds. */
export const toPassage = (s: Source): Passage => ({
  id: s.passageId,
  corpus: s.corpus,
  documentId: s.documentId,
  sourcePath: s.sourcePath,
  title: s.title,
  text: s.text,
  ordinal: s.ordinal,
  ...(s.metadata ? { metadata: s.metadata } : {}),
});

/** The default weighting's pipeline is `genq-hybrid`; another weighting's name carries its lexical and semantic shares. */
export function hybridPipelineName(w: HybridWeights, defaults: HybridWeights = DEFAULT_HYBRID_WEIGHTS): string {
  const [lexical, semantic] =
    hybridPipelineDefinition(w).phase_results_processors[0]!["normalization-processor"].combination.parameters.weights;
  const [dl, ds] =
    hybridPipelineDefinition(defaults).phase_results_processors[0]!["normalization-processor"].combination.parameters
      .weights;
  return lexical === dl && semantic === ds
    ? PIPELINE
    : `${PIPELINE}-${Math.round(lexical! * 1000)}-${Math.round(semantic! * 1000)}`;
}

/**
 * The hybrid search pipeline: min-max normalisation, then a weighted arithmetic mean of the lexical and
 * the k-NN sub-query, in that order. neural-search (opensearch-project/neural-search
 * ScoreCombinationUtil) refuses weights outside [0, 1] or not summing to 1 within 0.01, so the lexical
 * share of the local mix (BM25 + TF-IDF: OpenSearch has no third signal) and the semantic share are
 * renormalised and rounded to thousandths.
 */
export function hybridPipelineDefinition(weights: HybridWeights) {
  const lexical = weights.lexical + weights.sparse;
  const total = lexical + weights.semantic;
  if (!(total > 0)) throw new ValidationError("hybrid weights must not all be zero");
  const share = Math.round((lexical / total) * 1000) / 1000;
  return {
    description: "genq hybrid search: min-max normalised, weighted BM25 and k-NN",
    phase_results_processors: [
      {
        "normalization-processor": {
          normalization: { technique: "min_max" },
          combination: {
            technique: "arithmetic_mean",
            parameters: { weights: [share, Math.round((1 - share) * 1000) / 1000] },
          },
        },
      },
    ],
  };
}
