import { PUBLIC_EVENT_TYPES } from "../packages/core/src/events.ts";

/** EventBridge patterns, built here so tests can check them without deploying. */
export const PIPELINE_EVENT_TYPES = ["ingestion.completed", "queries.generated", "model.deployed", "index.built", "evaluation.completed", "stage.failed", "run.started", "document.chunked"] as const;

/** SageMaker's job and endpoint state changes, scoped to genq's own jobs (names start with "genq-") and to final states. */
export function sagemakerStateChangePattern() {
  return {
    source: ["aws.sagemaker"],
    "detail-type": ["SageMaker Training Job State Change", "SageMaker Transform Job State Change", "SageMaker Endpoint State Change"],
    detail: {
      $or: [
        { TrainingJobName: [{ prefix: "genq-" }], TrainingJobStatus: ["Completed", "Failed", "Stopped"] },
        { TransformJobName: [{ prefix: "genq-" }], TransformJobStatus: ["Completed", "Failed", "Stopped"] },
        { EndpointName: [{ prefix: "genq-" }], EndpointStatus: ["IN_SERVICE", "FAILED"] },
      ],
    },
  };
}

/** genq's own pipeline events on its bus (the stage functions consume them). */
export function pipelineEventPattern() {
  return { source: ["genq"], "detail-type": [...PIPELINE_EVENT_TYPES] };
}

/** What users subscribe to for completion: the public events (example rule in the README). */
export function publicEventPattern() {
  return { source: ["genq"], "detail-type": [...PUBLIC_EVENT_TYPES] };
}
