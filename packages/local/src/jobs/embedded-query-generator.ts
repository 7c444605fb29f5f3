import {
  completeQueryGeneration,
  createTimeSlicer,
  keys,
  loadCorpusPassages,
  passageText,
  runResources,
  toJsonLines,
  type BlobStore,
  type EventPublisher,
  type PipelineRepository,
  type QueryGenerator,
  type StageWork,
} from "@genq/core";
import { Bm25Index, generateQueries, isHeldOut, type QueryGenOptions, type SyntheticQuery } from "@genq/ml";

export interface EmbeddedQueryGeneratorDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  jobs: StageWork;
  options: Partial<QueryGenOptions> & { heldOutFraction: number };
}

/**
 * QueryGenerator without a model: a background job writes `runs/<run>/pairs/part-0000.jsonl` and
 * `heldout.jsonl` (the held-out passages' queries), then completes the stage (`queries.generated`).
 * Passages that cannot be read fail the stage with the reason.
 */
export function createEmbeddedQueryGenerator(deps: EmbeddedQueryGeneratorDeps): QueryGenerator {
  return {
    async start({ corpus, runId }) {
      await deps.jobs.run({ runId, corpus, stage: "generating" }, async () => {
        const pairsKey = keys.pairs(corpus, runId);
        const heldoutKey = keys.heldout(corpus, runId);
        const passages = await loadCorpusPassages(deps, corpus);
        const bm25 = new Bm25Index(passages.map(passageText));
        // Passage by passage (each passage's queries depend on it and the seed only), giving the event loop
        // back between slices: the job shares its process with searches.
        const slice = createTimeSlicer();
        const queries: SyntheticQuery[] = [];
        for (let i = 0; i < passages.length; i += 32) {
          await slice();
          queries.push(...generateQueries(passages.slice(i, i + 32), bm25, deps.options));
        }
        const seed = deps.options.seed ?? 13;
        const heldout = queries.filter((q) => isHeldOut(q.passageId, deps.options.heldOutFraction, seed));
        const train = queries.filter((q) => !isHeldOut(q.passageId, deps.options.heldOutFraction, seed));
        await deps.blobs.put(pairsKey, toJsonLines(train));
        await deps.blobs.put(heldoutKey, toJsonLines(heldout));
        await completeQueryGeneration(deps, {
          corpus,
          runId,
          pairsKey,
          heldoutKey,
          pairs: train.length,
          heldout: heldout.length,
        });
      });
      return { jobId: runResources.jobId(runId, "generating") };
    },
  };
}
