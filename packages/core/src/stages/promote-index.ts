import type { ServingSetup } from "../domain.ts";
import { ConcurrentUpdateError } from "../errors.ts";
import { eventIds, runResources } from "../pipeline/names.ts";
import type { EventPublisher, ModelDeployer, PipelineRepository, SearchIndex } from "../ports.ts";
import { syncIndexVersion, type FreshIndexDeps } from "../usecases/fresh-documents.ts";

/**
 * The promotion stage: make a run's index version the one its corpus serves. The version is first brought
 * up to date with the corpus's documents (those added, changed or deleted while the run worked: new ones
 * embedded with the run's model, deleted ones removed), then switched to (atomic in every adapter) and
 * brought up to date again (changes that reached the old version meanwhile); the serving run and its
 * setup are recorded on the corpus with compare-and-set (retrying lost races), the model of the run that
 * served before is retired and `index.promoted` announced, which confirms the run `ready`. Idempotent:
 * promoting the serving version again changes nothing and announces the same event.
 */
export async function promoteIndex(
  deps: {
    repo: PipelineRepository;
    index: SearchIndex;
    events: EventPublisher;
    deployer: Pick<ModelDeployer, "retire">;
  } & FreshIndexDeps,
  input: { corpus: string; runId: string; indexVersion: string; setup: ServingSetup | null },
): Promise<void> {
  const sync = { corpus: input.corpus, version: input.indexVersion, modelId: runResources.modelId(input.runId) };
  await syncIndexVersion(deps, sync);
  await deps.index.promote(input.corpus, input.indexVersion);
  await syncIndexVersion(deps, sync);
  await recordServingRun(deps, input);
  await deps.events.publish([
    {
      id: eventIds.indexPromoted(input.runId),
      type: "index.promoted",
      corpus: input.corpus,
      detail: { runId: input.runId, indexVersion: input.indexVersion },
    },
  ]);
}

/**
 * Record the serving run on the corpus. The model of the run that served before is retired first (the
 * index already serves the new version and its model), so a crash in between retires it again on the
 * re-issued promotion rather than leaking it.
 */
async function recordServingRun(
  deps: { repo: PipelineRepository; deployer: Pick<ModelDeployer, "retire"> },
  input: { corpus: string; runId: string; indexVersion: string; setup: ServingSetup | null },
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const corpus = await deps.repo.getCorpus(input.corpus);
    if (!corpus || corpus.servingRunId === input.runId) return;
    if (corpus.servingRunId) await deps.deployer.retire(runResources.modelId(corpus.servingRunId));
    try {
      await deps.repo.putCorpus(
        { ...corpus, servingRunId: input.runId, servingIndexVersion: input.indexVersion, servingSetup: input.setup },
        corpus.version,
      );
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  throw new ConcurrentUpdateError(`corpus "${input.corpus}" kept changing while its index was promoted`);
}
