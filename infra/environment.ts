import type { StageSettings } from "../stacks/settings.ts";

/** Names of the resources a function's environment points at (Pulumi outputs resolved to strings). */
export interface ResourceNames {
  region: string;
  bucket: string;
  table: string;
  bus: string;
  deadLetterQueueUrl: string;
  openSearchEndpoint: string;
  sagemakerRoleArn: string;
  queryGenerationModel: string;
  sourceDir: string;
}

/** The environment every genq function gets: exactly what packages/functions/src/config.ts parses. */
export function functionEnvironment(r: ResourceNames, s: StageSettings): Record<string, string> {
  return {
    GENQ_BUCKET: r.bucket,
    GENQ_TABLE: r.table,
    GENQ_EVENT_BUS: r.bus,
    GENQ_DEAD_LETTER_QUEUE_URL: r.deadLetterQueueUrl,
    GENQ_OPENSEARCH_ENDPOINT: r.openSearchEndpoint,
    GENQ_SAGEMAKER_ROLE_ARN: r.sagemakerRoleArn,
    GENQ_QUERYGEN_MODEL: r.queryGenerationModel,
    GENQ_TRAINING_IMAGE: s.images.training,
    GENQ_INFERENCE_IMAGE: s.images.inference,
    GENQ_SOURCE_DIR: r.sourceDir,
    GENQ_BASE_MODEL: s.training.baseModel,
    GENQ_TRANSFORM_INSTANCE: s.queryGeneration.instanceType,
    GENQ_TRAINING_INSTANCE: s.training.instanceType,
    GENQ_ENDPOINT_MODE: s.endpoint.mode,
    ...(s.endpoint.mode === "serverless" ? { GENQ_ENDPOINT_MEMORY_MB: String(s.endpoint.memoryMb) } : { GENQ_ENDPOINT_INSTANCE: s.endpoint.instanceType }),
    GENQ_EMBEDDING_DIMENSIONS: String(s.embeddingDimensions),
    GENQ_QUERIES_PER_PASSAGE: String(s.queryGeneration.queriesPerPassage),
    GENQ_EPOCHS: String(s.training.epochs),
    ...(s.rag.bedrockModelId ? { GENQ_BEDROCK_MODEL_ID: s.rag.bedrockModelId } : {}),
  };
}
