import { z } from "zod";

/** Environment of every genq Lambda function, validated once at cold start; all problems reported together. */
export const FunctionConfig = z.object({
  GENQ_BUCKET: z.string().min(3),
  GENQ_TABLE: z.string().min(1),
  GENQ_EVENT_BUS: z.string().min(1),
  GENQ_DEFAULT_TENANT: z.string().min(1).default("default"),
  GENQ_MAX_DOCUMENT_MB: z.coerce.number().positive().default(50),
  GENQ_DEAD_LETTER_QUEUE_URL: z.string().url().optional(),
});
export type FunctionConfig = z.infer<typeof FunctionConfig>;

/** The variables every function needs (infra must set each; a test checks it does). */
export const REQUIRED_ENVIRONMENT = ["GENQ_BUCKET", "GENQ_TABLE", "GENQ_EVENT_BUS"] as const;

export function loadFunctionConfig(env: Record<string, string | undefined>): FunctionConfig {
  const parsed = FunctionConfig.safeParse(env);
  if (!parsed.success) throw new Error(`invalid function configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}
