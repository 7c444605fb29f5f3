import { parseSettings, type StageSettings } from "./settings.ts";

const hfImages = (region: string) => ({
  training: `763104351884.dkr.ecr.${region}.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04`,
  inference: `763104351884.dkr.ecr.${region}.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04`,
  queryGeneration: `763104351884.dkr.ecr.${region}.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04`,
});

/**
 * dev: everything pay-per-use except the smallest OpenSearch node — idle cost ≈ one t3.small.search
 * (≈ $26/month) plus storage. production: larger search cluster with a replica, real-time endpoint.
 */
export const PRESETS: Record<string, StageSettings> = {
  dev: parseSettings({
    stage: "dev",
    retainData: false,
    logRetentionDays: 14,
    queryGeneration: { modelId: "BeIR/query-gen-msmarco-t5-base-v1", instanceType: "ml.g5.xlarge", queriesPerPassage: 3 },
    training: { baseModel: "sentence-transformers/msmarco-distilbert-base-tas-b", instanceType: "ml.g5.xlarge", epochs: 1 },
    endpoint: { mode: "serverless", memoryMb: 4096, maxConcurrency: 5 },
    embeddingDimensions: 768,
    search: { instance: "t3.small.search", instanceCount: 1, volumeGb: 10 },
    images: hfImages("us-east-1"),
    estimatedIdleCostUsdPerMonth: 30,
  }),
  production: parseSettings({
    stage: "production",
    retainData: true,
    logRetentionDays: 90,
    queryGeneration: { modelId: "BeIR/query-gen-msmarco-t5-large-v1", instanceType: "ml.g5.2xlarge", queriesPerPassage: 3 },
    training: { baseModel: "sentence-transformers/msmarco-distilbert-base-tas-b", instanceType: "ml.g5.2xlarge", epochs: 1 },
    endpoint: { mode: "real-time", instanceType: "ml.c6i.xlarge", instanceCount: 1 },
    embeddingDimensions: 768,
    search: { instance: "r6g.large.search", instanceCount: 2, volumeGb: 100 },
    images: hfImages("us-east-1"),
    estimatedIdleCostUsdPerMonth: 520,
  }),
};

/** The preset for a stage: `production`, or `dev` for every other stage (personal and CI stages). */
export const settingsFor = (stage: string): StageSettings => ({ ...(PRESETS[stage] ?? PRESETS.dev!), stage });
