import { PUBLIC_EVENT_TYPES, type GenqEventType } from "../packages/core/src/events.ts";

/**
 * EventBridge patterns, built here so tests and the offline pipeline can route with exactly what is
 * deployed. Patterns use EventBridge's own field names ("detail-type"); SST's bus subscriber takes
 * `detailType` instead (see busSubscriberPattern).
 */
export type EventPattern = Record<string, unknown>;

/** genq's own events that drive the next stage, and runs' ends (the pipeline-events function consumes them). */
export const PIPELINE_EVENT_TYPES: readonly GenqEventType[] = [
  "run.started",
  "document.chunked",
  "document.rejected",
  "ingestion.completed",
  "queries.generated",
  "training.job.completed",
  "model.deployed",
  "index.built",
  "evaluation.completed",
  "index.promoted",
  "stage.failed",
  // A run's end: the retraining policy looks again at documents that arrived while it worked.
  "run.succeeded",
  "run.failed",
  "run.rejected",
];

/** Where users drop documents: objects under corpora/<corpus>/docs/ (any depth below it). */
export const DOCUMENT_KEY_WILDCARD = "corpora/*/docs/*";

/** SageMaker's job and endpoint state changes, scoped to genq's own jobs (names start with "genq-") and to final states. */
export function sagemakerStateChangePattern(): EventPattern {
  return {
    source: ["aws.sagemaker"],
    "detail-type": [
      "SageMaker Training Job State Change",
      "SageMaker Transform Job State Change",
      "SageMaker Endpoint State Change",
    ],
    detail: {
      $or: [
        { TrainingJobName: [{ prefix: "genq-" }], TrainingJobStatus: ["Completed", "Failed", "Stopped"] },
        { TransformJobName: [{ prefix: "genq-" }], TransformJobStatus: ["Completed", "Failed", "Stopped"] },
        { EndpointName: [{ prefix: "genq-" }], EndpointStatus: ["IN_SERVICE", "FAILED"] },
      ],
    },
  };
}

/**
 * Documents added to or removed from a corpus: S3's EventBridge events for the documents bucket, only
 * for keys under corpora/<corpus>/docs/. "Object Deleted" covers permanent deletions and the delete
 * markers of a versioned bucket (its detail says which in "deletion-type").
 */
export function documentEventPattern(bucket: string): EventPattern {
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created", "Object Deleted"],
    detail: { bucket: { name: [bucket] }, object: { key: [{ wildcard: DOCUMENT_KEY_WILDCARD }] } },
  };
}

/** genq's pipeline events on its bus. */
export function pipelineEventPattern(): EventPattern {
  return { source: ["genq"], "detail-type": [...PIPELINE_EVENT_TYPES] };
}

/** What users subscribe to for completion: the public events (example rule in the README). */
export function publicEventPattern(): EventPattern {
  return { source: ["genq"], "detail-type": [...PUBLIC_EVENT_TYPES] };
}

/**
 * A pattern in the shape SST's `Bus.subscribe` takes. Its rule keeps only `source`, `detail` and
 * `detailType` (written back as "detail-type"; sst/sst platform/src/components/aws/bus-base-subscriber.ts,
 * `createRule`), so any other field would be dropped silently: refuse it instead.
 */
export function busSubscriberPattern(p: EventPattern): {
  source?: string[];
  detailType?: string[];
  detail?: Record<string, unknown>;
} {
  const {
    source,
    "detail-type": detailType,
    detail,
    ...rest
  } = p as { source?: string[]; "detail-type"?: string[]; detail?: Record<string, unknown> };
  const dropped = Object.keys(rest);
  if (dropped.length) throw new Error(`SST's bus subscriber would drop ${dropped.join(", ")} from the pattern`);
  return { ...(source ? { source } : {}), ...(detailType ? { detailType } : {}), ...(detail ? { detail } : {}) };
}

/** An EventBridge rate expression for the reconciler: "rate(1 minute)" takes the singular unit (EventBridge user guide, rate expressions). */
export function rateExpression(minutes: number): `rate(${string})` {
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new Error(`a rate needs a whole number of minutes, got ${minutes}`);
  return minutes === 1 ? "rate(1 minute)" : `rate(${minutes} minutes)`;
}
