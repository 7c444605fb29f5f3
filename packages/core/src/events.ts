import { z } from "zod";
import { CorpusId, ServingSetup } from "./domain.ts";
import { MalformedEventError } from "./errors.ts";

/**
 * genq's events, `domain.noun.past-tense`. Every event has an envelope (id, type, time, corpus) and a
 * typed `detail`. The same shapes travel through the local outbox and the EventBridge bus.
 */
const envelope = { id: z.string().min(1), time: z.string(), corpus: CorpusId };

const event = <T extends string, D extends z.ZodRawShape>(type: T, detail: D) =>
  z.object({ ...envelope, type: z.literal(type), detail: z.object(detail) });

const runId = z.string().min(1);

export const DocumentUploaded = event("document.uploaded", {
  key: z.string(),
  size: z.number().int().nonnegative(),
});
export const DocumentChunked = event("document.chunked", {
  path: z.string(),
  contentHash: z.string(),
  documents: z.number().int(),
  passages: z.number().int(),
});
export const DocumentRejected = event("document.rejected", { path: z.string(), reason: z.string() });
export const DocumentDeleted = event("document.deleted", { path: z.string() });
export const RunStarted = event("run.started", { runId });
export const IngestionCompleted = event("ingestion.completed", { runId, passages: z.number().int() });
export const QueriesGenerated = event("queries.generated", {
  runId,
  pairsKey: z.string(),
  heldoutKey: z.string(),
  pairs: z.number().int(),
});
export const TrainingJobCompleted = event("training.job.completed", {
  runId,
  jobId: z.string(),
  modelKey: z.string(),
});
export const ModelDeployed = event("model.deployed", { runId, modelId: z.string(), endpoint: z.string().nullable() });
export const IndexBuilt = event("index.built", { runId, indexVersion: z.string(), passages: z.number().int() });
export const EvaluationCompleted = event("evaluation.completed", {
  runId,
  reportKey: z.string(),
  promote: z.boolean(),
  reason: z.string(),
  /** The serving setup chosen for the run's index (absent when the run is rejected). */
  setup: ServingSetup.optional(),
});
export const IndexPromoted = event("index.promoted", { runId, indexVersion: z.string() });
export const StageFailed = event("stage.failed", { runId, stage: z.string(), reason: z.string() });
export const RunSucceeded = event("run.succeeded", { runId, indexVersion: z.string(), reportKey: z.string() });
export const RunFailed = event("run.failed", { runId, reason: z.string() });
export const RunRejected = event("run.rejected", { runId, reason: z.string(), reportKey: z.string() });

export const GenqEvent = z.discriminatedUnion("type", [
  DocumentUploaded,
  DocumentChunked,
  DocumentRejected,
  DocumentDeleted,
  RunStarted,
  IngestionCompleted,
  QueriesGenerated,
  TrainingJobCompleted,
  ModelDeployed,
  IndexBuilt,
  EvaluationCompleted,
  IndexPromoted,
  StageFailed,
  RunSucceeded,
  RunFailed,
  RunRejected,
]);
export type GenqEvent = z.infer<typeof GenqEvent>;
export type GenqEventType = GenqEvent["type"];
export type EventOf<T extends GenqEventType> = Extract<GenqEvent, { type: T }>;
export type EventInput<T extends GenqEventType = GenqEventType> = T extends GenqEventType
  ? Omit<EventOf<T>, "id" | "time">
  : never;

/** Events users subscribe to (the public stream); the rest are the pipeline's internal steps. */
export const PUBLIC_EVENT_TYPES: readonly GenqEventType[] = [
  "document.chunked",
  "document.rejected",
  "document.deleted",
  "run.started",
  "run.succeeded",
  "run.failed",
  "run.rejected",
];

/** Validate an incoming event; a wrong shape is a MalformedEventError (dead-letter, never retry). */
export function parseEvent(raw: unknown): GenqEvent {
  const parsed = GenqEvent.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(event)"}: ${i.message}`).join("; ");
    throw new MalformedEventError(`malformed event: ${issues}`);
  }
  return parsed.data;
}
