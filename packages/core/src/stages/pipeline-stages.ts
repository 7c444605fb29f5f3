import { keys } from "../domain.ts";
import { CorruptArtifactError, ValidationError } from "../errors.ts";
import { eventIds, runResources } from "../pipeline/names.ts";
import type {
  CoreDeps,
  BlobStore,
  Encoder,
  ModelDeployer,
  PassageIndexer,
  PipelineRepository,
  QueryGenerator,
  SearchIndex,
  StageWork,
  Trainer,
} from "../ports.ts";
import type { StageExecutors } from "../usecases/advance-run.ts";
import { announceEvaluation, evaluateRun, type EvaluationHooks } from "./evaluate-run.ts";
import { announceQueries, readGeneratedQueries } from "./generated-queries.ts";
import { announceIndex } from "./index-build.ts";
import { promoteIndex } from "./promote-index.ts";
import type { RunReport } from "../report/report.ts";

/** Everything the pipeline's stages need; each runtime supplies only the I/O behind these ports. */
export interface PipelineStageDeps extends CoreDeps {
  index: SearchIndex;
  queryGenerator: QueryGenerator;
  trainer: Trainer;
  deployer: ModelDeployer;
  indexer: PassageIndexer;
  /** Where long in-process work (evaluation) runs. */
  work: StageWork;
  encoderFor(modelId: string): Promise<Encoder>;
  /** Uploads of the corpus not yet chunked (a run waits for them before it generates queries). */
  pendingUploads(corpus: string): Promise<number>;
  gate: { minGain: number };
  evaluation?: EvaluationHooks;
}

/** The passage objects of a corpus's chunked documents, in path order (what jobs read their input from). */
export async function passageKeysOf(repo: PipelineRepository, corpus: string): Promise<string[]> {
  const docs = (await repo.listDocuments(corpus))
    .filter((d) => d.passagesKey)
    .sort((a, b) => a.path.localeCompare(b.path));
  return docs.map((d) => d.passagesKey!);
}

/**
 * The pipeline's stages as use cases over the ports, the same for both runtimes. Every executor is
 * idempotent: it first looks for its stage's finished result (and announces it again), otherwise
 * (re)starts the work, which the port's adapter never runs twice at once.
 */
export function createPipelineStages(deps: PipelineStageDeps): StageExecutors {
  return {
    async completeIngestion({ runId, corpus }) {
      if ((await deps.pendingUploads(corpus)) > 0) return;
      const docs = await deps.repo.listDocuments(corpus);
      const passages = docs.reduce((n, d) => n + (d.passagesKey ? d.passageCount : 0), 0);
      if (passages === 0) throw new ValidationError("the corpus has no passages: ingest documents first");
      await deps.events.publish([
        { id: eventIds.ingestionCompleted(runId), type: "ingestion.completed", corpus, detail: { runId, passages } },
      ]);
    },

    async generateQueries({ runId, corpus }) {
      const done = await readGeneratedQueries(deps.blobs, corpus, runId);
      if (done) return announceQueries(deps, corpus, runId, done);
      await deps.queryGenerator.start({ corpus, runId, passageKeys: await passageKeysOf(deps.repo, corpus) });
    },

    async startTraining({ runId, corpus, pairsKey }) {
      await deps.trainer.start({ corpus, runId, pairsKey, passageKeys: await passageKeysOf(deps.repo, corpus) });
    },

    async deployModel({ runId, corpus, modelKey }) {
      const modelId = runResources.modelId(runId);
      const deployed = await deps.deployer.deploy({ corpus, runId, modelId, modelKey });
      await deps.repo.putModelVersion({
        id: modelId,
        corpus,
        runId,
        kind: "tuned",
        artifactKey: modelKey,
        endpoint: deployed.endpoint,
        createdAt: deps.clock.now().toISOString(),
      });
      if (deployed.ready) {
        await deps.events.publish([
          {
            id: eventIds.modelDeployed(runId),
            type: "model.deployed",
            corpus,
            detail: { runId, modelId, endpoint: deployed.endpoint },
          },
        ]);
      }
    },

    async buildIndex({ runId, corpus, modelId }) {
      const indexVersion = runResources.indexVersion(runId);
      const built = await deps.repo.getIndexVersion(indexVersion);
      if (built) return announceIndex(deps, { corpus, runId, indexVersion, passages: built.passageCount });
      const owner = await deps.repo.getCorpus(corpus);
      if (!owner) throw new ValidationError(`corpus "${corpus}" no longer exists`);
      await deps.indexer.start({
        corpus,
        runId,
        modelId,
        indexVersion,
        tenant: owner.tenant,
        passageKeys: await passageKeysOf(deps.repo, corpus),
      });
    },

    async evaluate({ runId, corpus, indexVersion, modelId }) {
      const reportKey = keys.report(corpus, runId, "json");
      if (await deps.blobs.head(reportKey)) {
        return announceEvaluation(
          deps,
          { id: runId, corpus },
          reportKey,
          (await readReport(deps.blobs, reportKey)).gate,
        );
      }
      await deps.work.run({ runId, corpus, stage: "evaluating" }, async () => {
        await evaluateRun(deps, { runId, indexVersion, modelId });
      });
    },

    async promoteIndex({ runId, corpus, indexVersion, setup }) {
      await promoteIndex(deps, { corpus, runId, indexVersion, setup });
    },
  };
}

async function readReport(blobs: BlobStore, key: string): Promise<RunReport> {
  try {
    return JSON.parse(new TextDecoder().decode(await blobs.get(key))) as RunReport;
  } catch (error) {
    throw new CorruptArtifactError(`report ${key} is damaged`, { cause: error });
  }
}
