import { z } from "zod";
import { parseRetrainPolicy } from "@genq/core";
import { parseOrigins } from "@genq/api";

/** Environment of every genq Lambda function, validated once at cold start; all problems reported together. */
export const FunctionConfig = z.object({
  AWS_REGION: z.string().min(1).default("us-east-1"),
  GENQ_BUCKET: z.string().min(3),
  GENQ_TABLE: z.string().min(1),
  GENQ_EVENT_BUS: z.string().min(1),
  GENQ_DEAD_LETTER_QUEUE_URL: z.string().url(),
  GENQ_OPENSEARCH_ENDPOINT: z.string().url(),
  // The domain's master user (fine-grained access control); without it requests are signed with SigV4.
  GENQ_OPENSEARCH_USERNAME: z.string().min(1).optional(),
  GENQ_OPENSEARCH_PASSWORD: z.string().min(1).optional(),
  GENQ_SAGEMAKER_ROLE_ARN: z.string().startsWith("arn:"),
  GENQ_QUERYGEN_MODEL: z.string().min(1),
  GENQ_TRAINING_IMAGE: z.string().min(1),
  GENQ_INFERENCE_IMAGE: z.string().min(1),
  GENQ_SOURCE_DIR: z.string().startsWith("s3://"),
  GENQ_BASE_MODEL: z.string().min(1).default("sentence-transformers/msmarco-distilbert-base-tas-b"),
  GENQ_TRANSFORM_INSTANCE: z.string().default("ml.g5.xlarge"),
  GENQ_EMBEDDING_INSTANCE: z.string().default("ml.c6i.xlarge"),
  GENQ_TRAINING_INSTANCE: z.string().default("ml.g5.xlarge"),
  GENQ_ENDPOINT_MODE: z.enum(["serverless", "real-time"]).default("serverless"),
  GENQ_ENDPOINT_INSTANCE: z.string().default("ml.m5.large"),
  GENQ_ENDPOINT_INSTANCE_COUNT: z.coerce.number().int().min(1).default(1),
  GENQ_ENDPOINT_MEMORY_MB: z.coerce.number().int().min(1024).max(6144).default(4096),
  GENQ_ENDPOINT_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(5),
  GENQ_EMBEDDING_DIMENSIONS: z.coerce.number().int().positive().default(768),
  GENQ_QA_ENDPOINT: z.string().optional(),
  GENQ_LLM_ENDPOINT: z.string().optional(),
  /** Bedrock model (or inference profile) that composes /answer; unset means no Bedrock (off unless the stage configures one). */
  GENQ_BEDROCK_MODEL_ID: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined),
  GENQ_DEFAULT_TENANT: z.string().min(1).default("default"),
  /** Origins (comma-separated, or `*`) whose browser scripts may call the API besides the console's own; none unless set. */
  GENQ_CORS_ORIGINS: z
    .string()
    .default("")
    .transform((text, ctx) => {
      const { origins, problems } = parseOrigins(text);
      for (const message of problems) ctx.addIssue({ code: "custom", message });
      return origins;
    }),
  GENQ_MAX_DOCUMENT_MB: z.coerce.number().positive().default(50),
  GENQ_QUERIES_PER_PASSAGE: z.coerce.number().int().min(1).max(10).default(3),
  GENQ_HELDOUT_FRACTION: z.coerce.number().min(0).max(0.5).default(0.1),
  GENQ_SEED: z.coerce.number().int().default(42),
  GENQ_GATE_MIN_GAIN: z.coerce.number().default(0),
  GENQ_EPOCHS: z.coerce.number().int().min(1).default(1),
  /** Start a run by itself once the serving index holds this much untrained: `20%`, `500` passages, or off (default). */
  GENQ_RETRAIN_AFTER: z
    .string()
    .default("off")
    .transform((text, ctx) => {
      try {
        return parseRetrainPolicy(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return null;
      }
    }),
  /** Per-stage deadlines over the AWS defaults, e.g. `training=12h,evaluating=20m`. */
  GENQ_STAGE_DEADLINES: z.string().default(""),
});
export type FunctionConfig = z.infer<typeof FunctionConfig>;

/** The variables infra must set for every function (those without a default); a test checks it does. */
export const REQUIRED_ENVIRONMENT = Object.entries(FunctionConfig.shape)
  .filter(([, schema]) => !schema.safeParse(undefined).success)
  .map(([name]) => name);

export function loadFunctionConfig(env: Record<string, string | undefined>): FunctionConfig {
  const parsed = FunctionConfig.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `invalid function configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}
