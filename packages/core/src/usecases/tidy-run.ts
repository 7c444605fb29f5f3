import type { Run } from "../domain.ts";
import { reasonOf } from "../errors.ts";
import { runResources } from "../pipeline/names.ts";
import type { Logger, ModelDeployer, PipelineRepository, SearchIndex } from "../ports.ts";

/** What tidying after a finished run needs: the index's versions and the deployer's models. */
export interface TidyDeps {
  repo: PipelineRepository;
  logger: Logger;
  index: Pick<SearchIndex, "dropVersion">;
  deployer: Pick<ModelDeployer, "retire">;
}

/**
 * Give back what a finished run no longer needs, so repeated runs do not pile up index copies (SQLite
 * tables, OpenSearch indices) or keep endpoints running:
 * - a run that did not serve (rejected or failed) drops its own index version and retires its model;
 * - a run that serves drops the corpus's older index versions (the serving index and a run in progress
 *   keep theirs; the model of the run that served before was retired at promotion).
 * Best effort and idempotent: a failure is logged and changes nothing else (the outcome is still
 * announced); tidying again after a crash finds less to do.
 */
export async function tidyAfterRun(deps: TidyDeps, run: Pick<Run, "id" | "corpus" | "state">): Promise<void> {
  try {
    const corpus = await deps.repo.getCorpus(run.corpus);
    const keep = new Set(
      [
        corpus?.servingIndexVersion,
        corpus?.activeRunId ? runResources.indexVersion(corpus.activeRunId) : undefined,
      ].filter(Boolean),
    );
    if (run.state !== "ready") {
      const own = runResources.indexVersion(run.id);
      if (!keep.has(own)) await deps.index.dropVersion(own);
      if (corpus?.servingRunId !== run.id) await deps.deployer.retire(runResources.modelId(run.id));
      return;
    }
    for (const version of await deps.repo.listIndexVersions(run.corpus)) {
      if (!keep.has(version.id) && version.runId !== run.id) await deps.index.dropVersion(version.id);
    }
  } catch (error) {
    deps.logger.warn("could not give back what a finished run left", {
      runId: run.id,
      corpus: run.corpus,
      reason: reasonOf(error),
    });
  }
}
