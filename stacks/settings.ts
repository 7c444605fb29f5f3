import { z } from "zod";

/**
 * Per-stage settings (SST stages are Pulumi stacks), validated before anything is created: instance
 * types, model ids, search sizing, endpoint mode, retention. An invalid preset fails `sst deploy` early
 * with every problem named.
 */
export const StageSettings = z.object({
  stage: z.string().min(1),
  retainData: z.boolean(),
  logRetentionDays: z.union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(365)]),
  queryGeneration: z.object({ modelId: z.string().min(1), instanceType: z.string().startsWith("ml."), queriesPerPassage: z.number().int().min(1).max(10) }),
  training: z.object({ baseModel: z.string().min(1), instanceType: z.string().startsWith("ml."), epochs: z.number().int().min(1).max(20) }),
  endpoint: z.discriminatedUnion("mode", [
    z.object({ mode: z.literal("serverless"), memoryMb: z.number().int().min(1024).max(6144), maxConcurrency: z.number().int().min(1).max(200) }),
    z.object({ mode: z.literal("real-time"), instanceType: z.string().startsWith("ml."), instanceCount: z.number().int().min(1) }),
  ]),
  embeddingDimensions: z.number().int().positive(),
  search: z.object({ instance: z.string().endsWith(".search"), instanceCount: z.number().int().min(1), volumeGb: z.number().int().min(10) }),
  images: z.object({ training: z.string().min(1), inference: z.string().min(1), queryGeneration: z.string().min(1) }),
  estimatedIdleCostUsdPerMonth: z.number().nonnegative(),
  /** RAG on Amazon Bedrock (Converse API): off unless a stage names a model or inference profile that supports tool use. */
  rag: z.object({ bedrockModelId: z.string().regex(/^[\w.:-]+$/, "a Bedrock model or inference-profile id, e.g. amazon.nova-lite-v1:0").optional() }).default({}),
});
export type StageSettings = z.infer<typeof StageSettings>;

/** Parse a preset, naming every problem at once. */
export function parseSettings(raw: unknown): StageSettings {
  const r = StageSettings.safeParse(raw);
  if (!r.success) throw new Error(`invalid stage settings:\n  ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  ")}`);
  return r.data;
}
