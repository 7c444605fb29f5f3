import { eventIds } from "../pipeline/names.ts";
import { createTimeSlicer } from "../pipeline/time-slice.ts";
import type {
  BlobStore,
  Clock,
  Encoder,
  EventPublisher,
  PassageIndexer,
  PipelineRepository,
  SearchIndex,
  StageWork,
} from "../ports.ts";
import { loadCorpusPassages, passageText } from "../usecases/load-passages.ts";
import { trainedBy } from "../usecases/fresh-documents.ts";

/**
 * Finish building a run's index version (both runtimes' indexers end here): register the version with
 * the model it was built with, then announce `index.built`. Idempotent.
 */
export async function completeIndexBuild(
  deps: { repo: PipelineRepository; events: EventPublisher; clock: Clock },
  input: { corpus: string; runId: string; modelId: string; indexVersion: string; passages: number },
): Promise<void> {
  await deps.repo.putIndexVersion({
    id: input.indexVersion,
    corpus: input.corpus,
    runId: input.runId,
    modelId: input.modelId,
    passageCount: input.passages,
    createdAt: deps.clock.now().toISOString(),
  });
  await announceIndex(deps, input);
}

export async function announceIndex(
  deps: { events: EventPublisher },
  input: { corpus: string; runId: string; indexVersion: string; passages: number },
): Promise<void> {
  await deps.events.publish([
    {
      id: eventIds.indexBuilt(input.runId),
      type: "index.built",
      corpus: input.corpus,
      detail: { runId: input.runId, indexVersion: input.indexVersion, passages: input.passages },
    },
  ]);
}

export interface InProcessIndexerDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  clock: Clock;
  index: SearchIndex;
  work: StageWork;
  encoderFor(modelId: string): Promise<Encoder>;
  /** Passages encoded and written per batch (small: each batch holds the event loop). */
  batchSize?: number;
}

/**
 * A PassageIndexer that encodes passages with the run's Encoder in this process and writes them to the
 * search index in batches, as background stage work. The version is created afresh when a previous
 * attempt left it half-built, so a restarted build never serves a mix.
 */
export function createInProcessIndexer(deps: InProcessIndexerDeps): PassageIndexer {
  const batchSize = deps.batchSize ?? 64;
  return {
    async start({ corpus, runId, modelId, indexVersion, tenant }) {
      await deps.work.run({ runId, corpus, stage: "indexing" }, async () => {
        const encoder = await deps.encoderFor(modelId);
        const passages = await loadCorpusPassages(deps, corpus);
        const trained = await trainedBy(deps.repo, runId);
        await deps.index.createVersion({ corpus, version: indexVersion, dimensions: encoder.dimensions, tenant });
        const slice = createTimeSlicer();
        for (let i = 0; i < passages.length; i += batchSize) {
          await slice();
          const batch = passages.slice(i, i + batchSize);
          const vectors = await encoder.encode(batch.map(passageText), "passage");
          await deps.index.upsert(
            indexVersion,
            batch.map((passage, j) => ({ passage, vector: vectors[j]!, trained: trained(passage) })),
          );
        }
        // Searches of the new version (the evaluation's first) then find its signals ready, built in slices.
        await deps.index.prepare?.(indexVersion);
        await completeIndexBuild(deps, { corpus, runId, modelId, indexVersion, passages: passages.length });
      });
    },
  };
}
