import { z } from "zod";
import { processorOf, type Processor } from "./images.ts";

const SageMakerInstance = z
  .string()
  .regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, "expected a SageMaker instance type such as ml.g5.xlarge");

/**
 * A SageMaker endpoint: serverless (pay per request, CPU; memory 1024–6144 MB in 1 GB steps, concurrency
 * 1–200 — SageMaker API reference, ProductionVariantServerlessConfig) or real-time instances.
 */
export const EndpointSettings = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("serverless"),
    memoryMb: z
      .number()
      .int()
      .min(1024)
      .max(6144)
      .multipleOf(1024, "serverless memory comes in 1 GB steps: 1024, 2048, 3072, 4096, 5120 or 6144 MB"),
    maxConcurrency: z.number().int().min(1).max(200),
  }),
  z.object({ mode: z.literal("real-time"), instanceType: SageMakerInstance, instanceCount: z.number().int().min(1) }),
]);
export type EndpointSettings = z.infer<typeof EndpointSettings>;

const processorOrNull = (instanceType: unknown): Processor | null => {
  try {
    return typeof instanceType === "string" ? processorOf(instanceType) : null;
  } catch {
    return null;
  }
};

/**
 * Per-stage settings (SST stages are Pulumi stacks), validated before anything is created: instance
 * types, model ids, search sizing, endpoint modes, the optional extractive reader, the reconciler's
 * period and retention. Container images are not settings: they are resolved per region (images.ts).
 * An invalid preset fails `sst deploy` early with every problem named.
 */
export const StageSettings = z
  .object({
    stage: z.string().min(1),
    retainData: z.boolean(),
    logRetentionDays: z.union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(365)]),
    queryGeneration: z.object({
      modelId: z.string().min(1),
      instanceType: SageMakerInstance,
      queriesPerPassage: z.number().int().min(1).max(10),
    }),
    training: z.object({
      baseModel: z.string().min(1),
      instanceType: SageMakerInstance,
      epochs: z.number().int().min(1).max(20),
    }),
    /** The batch transform that embeds the corpus with the tuned model (same model image as the endpoint). */
    embedding: z.object({ instanceType: SageMakerInstance }),
    endpoint: EndpointSettings,
    /** The optional extractive reader behind POST /qa (e.g. deepset/roberta-base-squad2); null keeps the embedded reader. */
    qaReader: z.object({ modelId: z.string().min(1), endpoint: EndpointSettings }).nullable(),
    embeddingDimensions: z.number().int().positive(),
    search: z.object({
      instance: z
        .string()
        .refine(
          (s) => !s.endsWith(".search"),
          "drop the .search suffix: SST's OpenSearch component appends it, so t3.small.search would reach AWS as t3.small.search.search",
        )
        .refine(
          (s) => /^[a-z0-9]+\.[a-z0-9]+$/.test(s) || s.endsWith(".search"),
          "expected an OpenSearch instance type without its suffix, such as t3.small or r6g.large",
        ),
      instanceCount: z.number().int().min(1),
      volumeGb: z.number().int().min(10),
    }),
    reconcileEveryMinutes: z.number().int().min(1).max(1440),
    /** RAG on Amazon Bedrock (Converse API): off unless a stage names a model or inference profile that supports tool use. */
    rag: z
      .object({
        bedrockModelId: z
          .string()
          .regex(/^[\w.:-]+$/, "a Bedrock model or inference-profile id, e.g. amazon.nova-lite-v1:0")
          .optional(),
      })
      .default({}),
    /** A corpus retrains by itself once its serving index holds this much it was not trained on: `20%`, `500` passages, or off. */
    retrainAfter: z
      .string()
      .regex(
        /^(off|\d+(\.\d+)?%|\d+)$/,
        "a share of untrained passages such as 20%, a number of passages such as 500, or off",
      )
      .default("off"),
  })
  .superRefine((s, ctx) => {
    if (processorOrNull(s.training?.instanceType) === "cpu") {
      ctx.addIssue({
        code: "custom",
        path: ["training", "instanceType"],
        message: "the Hugging Face training containers are GPU only: choose an ml.g* or ml.p* instance",
      });
    }
    const embedding = processorOrNull(s.embedding?.instanceType);
    const parsedEndpoint = EndpointSettings.safeParse(s.endpoint);
    const endpoint = parsedEndpoint.success
      ? parsedEndpoint.data.mode === "serverless"
        ? "cpu"
        : processorOrNull(parsedEndpoint.data.instanceType)
      : null;
    if (embedding && endpoint && embedding !== endpoint) {
      ctx.addIssue({
        code: "custom",
        path: ["embedding", "instanceType"],
        message: `the embedding transform and the encoder endpoint share the tuned model's image, which is ${endpoint.toUpperCase()} for this endpoint; a ${embedding.toUpperCase()} instance would ${embedding === "gpu" ? "pay for an unused GPU" : "not run the GPU image"}`,
      });
    }
    const count = s.search?.instanceCount;
    if (typeof count === "number" && count > 1 && count % 2 !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["search", "instanceCount"],
        message: "a domain spread over two Availability Zones needs an even number of data nodes",
      });
    }
  });
export type StageSettings = z.infer<typeof StageSettings>;

/** Parse a preset, naming every problem at once. */
export function parseSettings(raw: unknown): StageSettings {
  const r = StageSettings.safeParse(raw);
  if (!r.success)
    throw new Error(
      `invalid stage settings:\n  ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  ")}`,
    );
  return r.data;
}
