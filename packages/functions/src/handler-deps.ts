import type {
  EngineDeps,
  BlobStore,
  Clock,
  Encoder,
  EventPublisher,
  Logger,
  PipelineRepository,
  RetrainPolicy,
  SearchIndex,
  StageExecutors,
} from "@genq/core";

/** What the handlers need; aws-deps.ts builds it from the AWS adapters, tests from local or fake ones. */
export interface HandlerDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  stages: StageExecutors;
  /** What a finished run no longer needs is given back through these (index versions, endpoints). */
  tidy?: EngineDeps["tidy"];
  parse: (path: string, bytes: Uint8Array) => Promise<import("@genq/core").ParsedDocument[]>;
  maxDocumentBytes: number;
  defaultTenant: string;
  /** The serving index, and the encoders of its models: fresh documents are embedded and indexed without a run. */
  index: SearchIndex;
  encoderFor(modelId: string): Promise<Encoder>;
  /** When a corpus retrains by itself (GENQ_RETRAIN_AFTER), or null. */
  retrainAfter: RetrainPolicy | null;
  /** Where poison events go, with the reason (an SQS dead-letter queue on AWS). */
  deadLetter(event: unknown, reason: string): Promise<void>;
}
