import { StopTrainingJobCommand, StopTransformJobCommand, type SageMakerClient } from "@aws-sdk/client-sagemaker";
import { TransientError, isTransient, reasonOf, runResources, type Logger, type ModelDeployer } from "@genq/core";
import { describeJob, jobNames, type JobStatus } from "./sagemaker-jobs.ts";

/** What asking SageMaker to stop one job came to. */
export type StopResult =
  | { job: string; outcome: "stopped" }
  | { job: string; outcome: "left"; status: JobStatus["status"] | "missing" }
  | { job: string; outcome: "failed"; error: unknown };

/**
 * Stop one SageMaker job if it is `InProgress` (StopTransformJob / StopTrainingJob: the job goes
 * `Stopping`, then `Stopped`, and announces it as a state-change event). SageMaker refuses to stop a job
 * in any other status (ValidationException "The request was rejected because the training job is in
 * status Stopped.") and answers a missing one with a ValidationException, so the job is described first
 * and only one in progress is stopped; one that ended between the two calls is left as it ended. Never
 * throws: a failure is returned as `failed` with its error.
 */
export async function stopJob(
  client: SageMakerClient,
  kind: "transform" | "training",
  name: string,
): Promise<StopResult> {
  const left = (job: JobStatus | null): StopResult => ({
    job: name,
    outcome: "left",
    status: job?.status ?? "missing",
  });
  try {
    const job = await describeJob(client, kind, name);
    if (job?.status !== "InProgress") return left(job);
    try {
      if (kind === "transform") await client.send(new StopTransformJobCommand({ TransformJobName: name }));
      else await client.send(new StopTrainingJobCommand({ TrainingJobName: name }));
      return { job: name, outcome: "stopped" };
    } catch (error) {
      // Asking again tells a job that ended meanwhile (refused, harmless) from a stop that failed.
      const now = await describeJob(client, kind, name);
      if (now?.status !== "InProgress") return left(now);
      throw error;
    }
  } catch (error) {
    return { job: name, outcome: "failed", error };
  }
}

/**
 * Stop whatever SageMaker work of a run is still in progress: its query-generation transform, its
 * training job and its embedding transform, each on its own (one that cannot be stopped keeps no other
 * from being tried). Jobs that ended or never started are left alone. Idempotent.
 */
export async function stopRunJobs(client: SageMakerClient, runId: string): Promise<StopResult[]> {
  return Promise.all([
    stopJob(client, "transform", jobNames.queries(runId)),
    stopJob(client, "training", jobNames.training(runId)),
    stopJob(client, "transform", jobNames.embedding(runId)),
  ]);
}

const JOB_WORDS = { queries: "query-generation transform", training: "training job", embedding: "embedding transform" };

/**
 * Why a run's stage failed when SageMaker reports its job `Stopped` while the run still waited for it:
 * the training job's time limit (secondary status `MaxRuntimeExceeded`), or a Stop call that genq did not
 * make (genq stops only the jobs of runs that have ended).
 */
export function stoppedJobReason(name: string, secondaryStatus?: string | null): string {
  const kind = jobNames.runOf(name)?.kind;
  const what = kind ? JOB_WORDS[kind] : "job";
  if (secondaryStatus === "MaxRuntimeExceeded")
    return `the SageMaker ${what} ${name} was stopped at its time limit (MaxRuntimeInSeconds) before it finished`;
  const call = kind === "training" ? "StopTrainingJob" : "StopTransformJob";
  return `the SageMaker ${what} ${name} was stopped before it finished (${call} from outside genq)`;
}

/**
 * ModelDeployer's `retire` for a run that will not serve (cancelled, failed, timed out, rejected, or its
 * corpus deleted) on AWS: its SageMaker jobs still in progress are stopped first (a transform has no time
 * cap and would otherwise bill until it ends), then its endpoint, endpoint config and model are deleted.
 * Best effort: every step is tried whatever another did, each failure is logged; if something could not
 * be given back, `retire` then throws one error naming it all (a TransientError when every cause was
 * transient), so a corpus deletion is not finished while a job of it may still run. Idempotent.
 */
export function createSageMakerRetirer(
  client: SageMakerClient,
  deployer: { retire(runId: string): Promise<void> },
  logger: Logger,
): Pick<ModelDeployer, "retire"> {
  return {
    async retire(modelId) {
      const runId = runResources.runOfModel(modelId);
      if (!runId) return;
      const problems: Array<{ what: string; error: unknown }> = [];
      for (const result of await stopRunJobs(client, runId)) {
        if (result.outcome === "stopped") logger.info("SageMaker job stopped", { runId, job: result.job });
        else if (result.outcome === "failed") {
          logger.error("could not stop a SageMaker job", { runId, job: result.job, reason: reasonOf(result.error) });
          problems.push({ what: `job ${result.job}`, error: result.error });
        }
      }
      try {
        await deployer.retire(runId);
      } catch (error) {
        logger.error("could not delete a run's endpoint", { runId, reason: reasonOf(error) });
        problems.push({ what: "endpoint", error });
      }
      if (!problems.length) return;
      const message = `could not give back run ${runId}'s SageMaker resources: ${problems
        .map((p) => `${p.what}: ${reasonOf(p.error)}`)
        .join("; ")}`;
      const cause = problems[0]!.error;
      throw problems.every((p) => isTransient(p.error))
        ? new TransientError(message, { cause })
        : new Error(message, { cause });
    },
  };
}
