import type { StageImages } from "../stacks/images.ts";
import type { StageSettings } from "../stacks/settings.ts";

/** What a function's environment points at (Pulumi outputs resolved to strings). */
export interface ResourceNames {
  bucket: string;
  table: string;
  bus: string;
  deadLetterQueueUrl: string;
  openSearchEndpoint: string;
  /** The OpenSearch domain's master user: SST's domain uses fine-grained access control with an internal user database. */
  openSearchUsername: string;
  openSearchPassword: string;
  sagemakerRoleArn: string;
  queryGenerationModel: string;
  sourceDir: string;
  images: StageImages;
}

/** The environment every genq function gets: exactly what packages/functions/src/config.ts parses. */
export function functionEnvironment(r: ResourceNames, s: StageSettings): Record<string, string> {
  const endpoint: Record<string, string> =
    s.endpoint.mode === "serverless"
      ? {
          GENQ_ENDPOINT_MEMORY_MB: String(s.endpoint.memoryMb),
          GENQ_ENDPOINT_MAX_CONCURRENCY: String(s.endpoint.maxConcurrency),
        }
      : {
          GENQ_ENDPOINT_INSTANCE: s.endpoint.instanceType,
          GENQ_ENDPOINT_INSTANCE_COUNT: String(s.endpoint.instanceCount),
        };
  return {
    GENQ_BUCKET: r.bucket,
    GENQ_TABLE: r.table,
    GENQ_EVENT_BUS: r.bus,
    GENQ_DEAD_LETTER_QUEUE_URL: r.deadLetterQueueUrl,
    GENQ_OPENSEARCH_ENDPOINT: r.openSearchEndpoint,
    GENQ_OPENSEARCH_USERNAME: r.openSearchUsername,
    GENQ_OPENSEARCH_PASSWORD: r.openSearchPassword,
    GENQ_SAGEMAKER_ROLE_ARN: r.sagemakerRoleArn,
    GENQ_QUERYGEN_MODEL: r.queryGenerationModel,
    GENQ_TRAINING_IMAGE: r.images.training,
    GENQ_INFERENCE_IMAGE: r.images.inference,
    GENQ_SOURCE_DIR: r.sourceDir,
    GENQ_BASE_MODEL: s.training.baseModel,
    GENQ_TRANSFORM_INSTANCE: s.queryGeneration.instanceType,
    GENQ_EMBEDDING_INSTANCE: s.embedding.instanceType,
    GENQ_TRAINING_INSTANCE: s.training.instanceType,
    GENQ_ENDPOINT_MODE: s.endpoint.mode,
    ...endpoint,
    GENQ_EMBEDDING_DIMENSIONS: String(s.embeddingDimensions),
    GENQ_QUERIES_PER_PASSAGE: String(s.queryGeneration.queriesPerPassage),
    GENQ_EPOCHS: String(s.training.epochs),
    GENQ_RETRAIN_AFTER: s.retrainAfter,
    ...(s.rag.bedrockModelId ? { GENQ_BEDROCK_MODEL_ID: s.rag.bedrockModelId } : {}),
  };
}

/** The HTTP function's environment: the shared one, plus the extractive reader's endpoint when the stage has one. */
export function httpEnvironment(shared: Record<string, string>, qaEndpointName: string | null): Record<string, string> {
  return qaEndpointName ? { ...shared, GENQ_QA_ENDPOINT: qaEndpointName } : shared;
}
