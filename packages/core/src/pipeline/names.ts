/**
 * Names derived from a run, in one place: the ids that make every announcement of the same fact the same
 * event (deduplication keys in the outbox and in consumers), and the names of what a run creates. Both
 * runtimes build them here only, so a redelivered or re-issued step always names the same things.
 */
export const eventIds = {
  documentUploaded: (key: string, version: string) => `document.uploaded:${key}:${version}`,
  /** One announcement per chunking (the record's chunkedAt): the same bytes chunked again later, after an edit was reverted or the document deleted, are a new event. */
  documentChunked: (corpus: string, path: string, contentHash: string, chunkedAt?: string | null) =>
    `document.chunked:${corpus}:${path}:${contentHash}${chunkedAt ? `:${chunkedAt}` : ""}`,
  documentRejected: (corpus: string, path: string, hash: string) => `document.rejected:${corpus}:${path}:${hash}`,
  /** One announcement per deleted revision of a document (deleting it again after a re-upload is a new event). */
  documentDeleted: (corpus: string, path: string, revision: string) => `document.deleted:${corpus}:${path}:${revision}`,
  runStarted: (runId: string) => `run.started:${runId}`,
  ingestionCompleted: (runId: string) => `ingestion.completed:${runId}`,
  queriesGenerated: (runId: string) => `queries.generated:${runId}`,
  trainingCompleted: (runId: string) => `training.job.completed:${runId}`,
  modelDeployed: (runId: string) => `model.deployed:${runId}`,
  indexBuilt: (runId: string) => `index.built:${runId}`,
  evaluationCompleted: (runId: string) => `evaluation.completed:${runId}`,
  indexPromoted: (runId: string) => `index.promoted:${runId}`,
  /** One failure per run and stage: a second report of the same stage's failure is the same event. */
  stageFailed: (runId: string, stage: string) => `stage.failed:${runId}:${stage}`,
  runOutcome: (runId: string, outcome: "succeeded" | "failed" | "rejected") => `run.${outcome}:${runId}`,
} as const;

/** What a run creates, named from its id. */
export const runResources = {
  /** The model a run trains, as registered in the repository. */
  modelId: (runId: string) => `${runId}-model`,
  /** The run a model id names (the inverse of `modelId`), or null for another kind of id. */
  runOfModel: (modelId: string): string | null =>
    modelId.endsWith("-model") ? modelId.slice(0, -"-model".length) : null,
  /** The search index version a run builds. */
  indexVersion: (runId: string) => `${runId}-index`,
  /** Background work of a run's stage (local jobs; at most one of each runs at a time). */
  jobId: (runId: string, stage: string) => `${runId}:${stage}`,
} as const;
