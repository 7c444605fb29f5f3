import {
  failStage,
  reasonOf,
  runResources,
  type EventPublisher,
  type Logger,
  type StageJob,
  type StageWork,
} from "@genq/core";
import type { JobLeases } from "./job-leases.ts";

/**
 * The local runtime's background work (the stand-in for SageMaker jobs): each stage's job runs at most
 * once at a time per run — in this process, and with `leases` in every process sharing the data folder
 * (a job another live process runs is left to it: it announces the outcome); a job that throws — or
 * whose worker thread dies — fails its stage with the reason. A process can wait until every job it
 * started has reported back before it exits.
 */
export interface LocalJobs extends StageWork {
  isRunning(job: Pick<StageJob, "runId" | "stage">): boolean;
  idle(): Promise<void>;
  readonly active: number;
}

export function createLocalJobs(deps: { events: EventPublisher; logger: Logger; leases?: JobLeases }): LocalJobs {
  const running = new Map<string, Promise<void>>();
  const keyOf = (job: Pick<StageJob, "runId" | "stage">) => runResources.jobId(job.runId, job.stage);
  return {
    async run(job, work) {
      const key = keyOf(job);
      if (running.has(key)) return;
      if (deps.leases && !deps.leases.acquire(key)) {
        deps.logger.debug("job runs in another process", { runId: job.runId, stage: job.stage });
        return;
      }
      const p = Promise.resolve()
        .then(work)
        .catch(async (error: unknown) => {
          deps.logger.error("job failed", { runId: job.runId, stage: job.stage, reason: reasonOf(error) });
          await failStage(deps, { id: job.runId, corpus: job.corpus }, job.stage, reasonOf(error)).catch((e: unknown) =>
            deps.logger.error("could not record a job's failure; the reconciler will retry the stage", {
              runId: job.runId,
              reason: reasonOf(e),
            }),
          );
        })
        .finally(() => {
          running.delete(key);
          deps.leases?.release(key);
        });
      running.set(key, p);
    },
    isRunning: (job) => running.has(keyOf(job)),
    async idle() {
      while (running.size) await Promise.all([...running.values()]);
    },
    get active() {
      return running.size;
    },
  };
}
