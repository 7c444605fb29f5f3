import { ConcurrentUpdateError } from "../errors.ts";
import type { PipelineRepository, SearchIndex } from "../ports.ts";

/**
 * Make a run's index version the one its corpus serves: switch the index (atomic in every adapter), then
 * record the serving run on the corpus with compare-and-set, retrying lost races. Returns the run that
 * served before (so a runtime can retire what belonged to it), or null.
 */
export async function promoteIndex(
  deps: { repo: PipelineRepository; index: SearchIndex },
  input: { corpus: string; runId: string; indexVersion: string },
): Promise<string | null> {
  await deps.index.promote(input.corpus, input.indexVersion);
  for (let attempt = 0; attempt < 5; attempt++) {
    const corpus = await deps.repo.getCorpus(input.corpus);
    if (!corpus) return null;
    try {
      await deps.repo.putCorpus({ ...corpus, servingRunId: input.runId, servingIndexVersion: input.indexVersion }, corpus.version);
      return corpus.servingRunId !== input.runId ? corpus.servingRunId : null;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  throw new ConcurrentUpdateError(`corpus "${input.corpus}" kept changing while its index was promoted`);
}
