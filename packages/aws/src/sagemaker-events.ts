import { z } from "zod";
import { MalformedEventError, eventIds, keys, runResources, type EventInput } from "@genq/core";
import { endpointNames } from "./sagemaker-endpoints.ts";
import { jobNames } from "./sagemaker-jobs.ts";
import { stoppedJobReason } from "./sagemaker-stop.ts";

const TrainingChange = z.object({
  "detail-type": z.literal("SageMaker Training Job State Change"),
  detail: z.object({
    TrainingJobName: z.string(),
    TrainingJobStatus: z.string(),
    SecondaryStatus: z.string().optional(),
    FailureReason: z.string().optional(),
    ModelArtifacts: z.object({ S3ModelArtifacts: z.string() }).optional(),
    Tags: z.record(z.string(), z.string()).optional(),
  }),
});
const TransformChange = z.object({
  "detail-type": z.literal("SageMaker Transform Job State Change"),
  detail: z.object({
    TransformJobName: z.string(),
    TransformJobStatus: z.string(),
    FailureReason: z.string().optional(),
    Tags: z.record(z.string(), z.string()).optional(),
  }),
});
const EndpointChange = z.object({
  "detail-type": z.literal("SageMaker Endpoint State Change"),
  detail: z.object({
    EndpointName: z.string(),
    EndpointStatus: z.string(),
    FailureReason: z.string().optional(),
    Tags: z.record(z.string(), z.string()).optional(),
  }),
});
const SageMakerChange = z.discriminatedUnion("detail-type", [TrainingChange, TransformChange, EndpointChange]);

/** What a SageMaker job state change means for genq: an event to publish, or nothing (not ours, not final). */
export type JobOutcome =
  | { kind: "ignored"; why: string }
  | { kind: "event"; event: EventInput & { id: string } }
  | { kind: "transform-completed"; corpus: string; runId: string; jobName: string; job: "queries" | "embedding" };

/**
 * Translate SageMaker's own "… Job State Change" events (EventBridge envelopes) into genq's pipeline
 * events. Jobs are recognised by genq's job names; the corpus comes from the job's `genq:corpus` tag.
 * Completed training → `training.job.completed`; Failed → `stage.failed` with SageMaker's FailureReason;
 * Stopped → `stage.failed` saying why it stopped (see stoppedJobReason) — for a run that has ended (genq
 * stops the jobs of runs it gives back) that report changes nothing; a completed transform needs its
 * output parsed first (the caller's job). Event ids are derived from the run and stage, so a duplicate
 * delivery publishes nothing new.
 */
export function translateSageMakerEvent(raw: unknown): JobOutcome {
  const parsed = SageMakerChange.safeParse(raw);
  if (!parsed.success)
    throw new MalformedEventError(
      `not a SageMaker job state change: ${parsed.error.issues[0]?.message ?? "unknown shape"}`,
    );
  const e = parsed.data;
  if (e["detail-type"] === "SageMaker Endpoint State Change") return endpointOutcome(e.detail);
  const name =
    e["detail-type"] === "SageMaker Training Job State Change" ? e.detail.TrainingJobName : e.detail.TransformJobName;
  const status =
    e["detail-type"] === "SageMaker Training Job State Change"
      ? e.detail.TrainingJobStatus
      : e.detail.TransformJobStatus;
  const job = jobNames.runOf(name);
  if (!job) return { kind: "ignored", why: `job ${name} is not genq's` };
  const corpus = e.detail.Tags?.["genq:corpus"];
  if (!corpus) throw new MalformedEventError(`job ${name} has no genq:corpus tag`);
  const { runId } = job;
  if (status === "Failed" || status === "Stopped") {
    const stage = job.kind === "training" ? "training" : job.kind === "queries" ? "generating" : "indexing";
    const secondary = "SecondaryStatus" in e.detail ? e.detail.SecondaryStatus : undefined;
    const reason =
      e.detail.FailureReason ??
      (status === "Stopped" ? stoppedJobReason(name, secondary) : `the SageMaker job ${name} failed`);
    return {
      kind: "event",
      event: { id: eventIds.stageFailed(runId, stage), type: "stage.failed", corpus, detail: { runId, stage, reason } },
    };
  }
  if (status !== "Completed") return { kind: "ignored", why: `job ${name} is ${status}` };
  if (job.kind !== "training") return { kind: "transform-completed", corpus, runId, jobName: name, job: job.kind };
  return {
    kind: "event",
    event: {
      id: eventIds.trainingCompleted(runId),
      type: "training.job.completed",
      corpus,
      detail: { runId, jobId: name, modelKey: keys.model(corpus, runId) },
    },
  };
}

function endpointOutcome(detail: z.infer<typeof EndpointChange>["detail"]): JobOutcome {
  const runId = endpointNames.runOf(detail.EndpointName);
  if (!runId) return { kind: "ignored", why: `endpoint ${detail.EndpointName} is not genq's` };
  const corpus = detail.Tags?.["genq:corpus"];
  if (!corpus) throw new MalformedEventError(`endpoint ${detail.EndpointName} has no genq:corpus tag`);
  if (detail.EndpointStatus === "FAILED") {
    const reason = detail.FailureReason ?? "the endpoint failed to start";
    return {
      kind: "event",
      event: {
        id: eventIds.stageFailed(runId, "deploying"),
        type: "stage.failed",
        corpus,
        detail: { runId, stage: "deploying", reason },
      },
    };
  }
  if (detail.EndpointStatus !== "IN_SERVICE")
    return { kind: "ignored", why: `endpoint ${detail.EndpointName} is ${detail.EndpointStatus}` };
  return {
    kind: "event",
    event: {
      id: eventIds.modelDeployed(runId),
      type: "model.deployed",
      corpus,
      detail: { runId, modelId: runResources.modelId(runId), endpoint: detail.EndpointName },
    },
  };
}
