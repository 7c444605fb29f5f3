import { corpusNameOf, isTerminal, keys, type Corpus } from "../domain.ts";
import { ConcurrentUpdateError, ConflictError, NotFoundError } from "../errors.ts";
import { runResources } from "../pipeline/names.ts";
import type { BlobStore, Clock, Logger, ModelDeployer, PipelineRepository, SearchIndex } from "../ports.ts";
import { corpusForTenant } from "./search-corpus.ts";

export interface DeleteCorpusDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  index: SearchIndex;
  deployer: Pick<ModelDeployer, "retire">;
  clock: Clock;
  logger: Logger;
}

/**
 * Delete a corpus and everything it owns: it stops serving, its index versions are dropped, its models
 * retired (their endpoints deleted), its objects (documents, passages, runs, judgments) and its state
 * removed. Refused with a ConflictError while a run is in progress. The corpus is marked as being
 * deleted first (no run starts and no upload is accepted from then on), so an interrupted deletion is
 * finished by asking again. `corpus` is the corpus id (see corpusIdFor); with `tenant`, the corpus must be
 * that tenant's.
 */
export async function deleteCorpus(
  deps: DeleteCorpusDeps,
  input: { corpus: string; tenant?: string },
): Promise<{ runs: number; objects: number }> {
  let corpus: Corpus | null = null;
  for (let attempt = 0; attempt < 5 && !corpus?.deletingSince; attempt++) {
    const current =
      input.tenant === undefined
        ? await deps.repo.getCorpus(input.corpus)
        : await corpusForTenant(deps.repo, input.tenant, input.corpus);
    if (!current) throw new NotFoundError(`corpus "${corpusNameOf(input.corpus)}" not found`);
    const active = current.activeRunId ? await deps.repo.getRun(current.activeRunId) : null;
    if (active && !isTerminal(active.state)) {
      throw new ConflictError(
        `corpus "${corpusNameOf(current.name)}" has run ${active.id} in progress (${active.state}): delete it once the run has ended`,
      );
    }
    if (current.deletingSince) corpus = current;
    else {
      try {
        corpus = await deps.repo.putCorpus(
          { ...current, deletingSince: deps.clock.now().toISOString() },
          current.version,
        );
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError)) throw error;
      }
    }
  }
  if (!corpus?.deletingSince)
    throw new ConcurrentUpdateError(`corpus "${corpusNameOf(input.corpus)}" kept changing while its deletion began`);
  const runs = await deps.repo.listRuns(corpus.name);
  await deps.index.unserve(corpus.name);
  const versions = new Set([
    ...runs.map((r) => runResources.indexVersion(r.id)),
    ...(await deps.repo.listIndexVersions(corpus.name)).map((v) => v.id),
  ]);
  for (const version of versions) await deps.index.dropVersion(version);
  for (const run of runs) await deps.deployer.retire(runResources.modelId(run.id));
  const objects = await deps.blobs.deletePrefix(keys.corpus(corpus.name));
  await deps.repo.deleteCorpus(corpus.name);
  deps.logger.info("corpus deleted", { corpus: corpus.name, runs: runs.length, objects });
  return { runs: runs.length, objects };
}
