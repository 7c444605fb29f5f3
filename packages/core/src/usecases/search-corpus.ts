import { corpusNameOf, type Corpus, type ServingSetup } from "../domain.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Encoder, PipelineRepository, SearchFilter, SearchHit, SearchIndex, SearchMode } from "../ports.ts";
import type { HybridWeights } from "../search/fusion.ts";

export interface SearchDeps {
  repo: PipelineRepository;
  index: SearchIndex;
  /** The encoder of a registered model (the serving index's model). */
  encoderFor(modelId: string): Promise<Encoder>;
}

export const SEARCH_LIMITS = { maxQueryChars: 1000, maxK: 100 } as const;

/** The corpus if it exists and belongs to the tenant; otherwise NotFoundError (never reveal other tenants' corpora). */
export async function corpusForTenant(repo: PipelineRepository, tenant: string, name: string): Promise<Corpus> {
  const corpus = await repo.getCorpus(name);
  if (!corpus || corpus.tenant !== tenant) throw new NotFoundError(`corpus "${corpusNameOf(name)}" not found`);
  return corpus;
}

/** How a setup searches: its mode, and for the hybrids the weights it was calibrated to. */
export function searchOf(setup: ServingSetup): { mode: SearchMode; weights?: HybridWeights } {
  if (setup.name === "lexical") return { mode: "lexical" };
  if (setup.name === "semantic") return { mode: "semantic" };
  return { mode: "hybrid", weights: setup.weights };
}

/**
 * Search a tenant's corpus on its serving index. Without a mode, the search runs in the corpus's serving
 * setup — what the quality gate chose (BM25, the tuned model, or a hybrid with its calibrated weights);
 * `lexical`, `semantic` and `hybrid` ask for one explicitly (hybrid with the serving weights when the
 * serving setup is a hybrid). Oversized queries and k beyond the limit are refused, never truncated.
 */
export async function searchCorpus(
  deps: SearchDeps,
  input: { tenant: string; corpus: string; query: string; k: number; mode?: SearchMode; filter?: SearchFilter },
): Promise<SearchHit[] & { mode?: SearchMode }> {
  if (!input.query.trim()) throw new ValidationError("query: must not be empty");
  if (input.query.length > SEARCH_LIMITS.maxQueryChars)
    throw new ValidationError(`query: ${input.query.length} characters, the limit is ${SEARCH_LIMITS.maxQueryChars}`);
  if (!Number.isInteger(input.k) || input.k < 1 || input.k > SEARCH_LIMITS.maxK)
    throw new ValidationError(`k: must be an integer from 1 to ${SEARCH_LIMITS.maxK}`);
  const corpus = await corpusForTenant(deps.repo, input.tenant, input.corpus);
  const version = await deps.index.servingVersion(corpus.name);
  if (!version)
    throw new ConflictError(`corpus "${corpusNameOf(corpus.name)}" has no search index yet: start a run first`);
  const serving = searchOf(
    corpus.servingSetup ?? { name: "hybrid", weights: { lexical: 0.4, sparse: 0.3, semantic: 0.3 } },
  );
  const mode = input.mode ?? serving.mode;
  const weights = mode === "hybrid" && serving.mode === "hybrid" && corpus.servingSetup ? serving.weights : undefined;
  let vector: Float32Array | undefined;
  if (mode !== "lexical") {
    const info = await deps.repo.getIndexVersion(version);
    if (!info) throw new NotFoundError(`index version "${version}" is not registered`);
    [vector] = await (await deps.encoderFor(info.modelId)).encode([input.query], "query");
  }
  const hits = await deps.index.search({
    corpus: corpus.name,
    version,
    query: input.query,
    vector,
    k: input.k,
    mode,
    weights,
    filter: { ...input.filter, tenant: corpus.tenant },
  });
  return Object.assign(hits, { mode });
}
