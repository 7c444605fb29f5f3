import { keys, loadCorpusPassages, passageText, toJsonLines, type BlobStore, type EventPublisher, type PipelineRepository, type QueryGenerator } from "@genq/core";
import { Bm25Index } from "../text/bm25.ts";
import { generateQueries, isHeldOut, type QueryGenOptions } from "../querygen/synthetic-queries.ts";
import type { LocalJobs } from "./local-jobs.ts";

export interface EmbeddedQueryGeneratorDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  jobs: LocalJobs;
  options: Partial<QueryGenOptions> & { heldOutFraction: number };
}

/**
 * QueryGenerator without a model: a background job writes `runs/<run>/pairs/part-0000.jsonl` and
 * `heldout.jsonl` (the held-out passages' queries) and announces `queries.generated`. Starting the
 * same run again reuses what is already written.
 */
export function createEmbeddedQueryGenerator(deps: EmbeddedQueryGeneratorDeps): QueryGenerator {
  return {
    async start({ corpus, runId }) {
      const jobId = `${runId}-queries`;
      deps.jobs.run(jobId, async () => {
        const pairsKey = keys.pairs(corpus, runId);
        const heldoutKey = keys.heldout(corpus, runId);
        const passages = await loadCorpusPassages(deps, corpus);
        const bm25 = new Bm25Index(passages.map(passageText));
        const queries = generateQueries(passages, bm25, deps.options);
        const seed = deps.options.seed ?? 13;
        const heldout = queries.filter((q) => isHeldOut(q.passageId, deps.options.heldOutFraction, seed));
        const train = queries.filter((q) => !isHeldOut(q.passageId, deps.options.heldOutFraction, seed));
        await deps.blobs.put(pairsKey, toJsonLines(train));
        await deps.blobs.put(heldoutKey, toJsonLines(heldout));
        await deps.events.publish([
          { id: `queries.generated:${runId}`, type: "queries.generated", corpus, detail: { runId, pairsKey, heldoutKey, pairs: train.length } },
        ]);
      });
      return { jobId };
    },
  };
}
