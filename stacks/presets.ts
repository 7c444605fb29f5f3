import { parseSettings, type StageSettings } from "./settings.ts";

/**
 * dev: pay-per-use wherever AWS offers it (serverless encoder, no extractive-reader endpoint) and the
 * smallest OpenSearch node. production: a two-node OpenSearch domain across two Availability Zones, two
 * real-time encoder instances, the larger query generator and the roberta-base-squad2 reader behind /qa.
 * Every stage not named here gets dev's settings. Idle cost per stage: costs.ts (and the README).
 */
export const PRESETS: Record<string, StageSettings> = {
  dev: parseSettings({
    stage: "dev",
    retainData: false,
    logRetentionDays: 14,
    queryGeneration: {
      modelId: "BeIR/query-gen-msmarco-t5-base-v1",
      instanceType: "ml.g5.xlarge",
      queriesPerPassage: 3,
    },
    training: {
      baseModel: "sentence-transformers/msmarco-distilbert-base-tas-b",
      instanceType: "ml.g5.xlarge",
      epochs: 1,
    },
    embedding: { instanceType: "ml.c6i.xlarge" },
    endpoint: { mode: "serverless", memoryMb: 4096, maxConcurrency: 5 },
    qaReader: null,
    embeddingDimensions: 768,
    search: { instance: "t3.small", instanceCount: 1, volumeGb: 10 },
    reconcileEveryMinutes: 10,
  }),
  production: parseSettings({
    stage: "production",
    retainData: true,
    logRetentionDays: 90,
    queryGeneration: {
      modelId: "BeIR/query-gen-msmarco-t5-large-v1",
      instanceType: "ml.g5.2xlarge",
      queriesPerPassage: 3,
    },
    training: {
      baseModel: "sentence-transformers/msmarco-distilbert-base-tas-b",
      instanceType: "ml.g5.2xlarge",
      epochs: 1,
    },
    embedding: { instanceType: "ml.c6i.2xlarge" },
    endpoint: { mode: "real-time", instanceType: "ml.c6i.xlarge", instanceCount: 2 },
    qaReader: {
      modelId: "deepset/roberta-base-squad2",
      endpoint: { mode: "serverless", memoryMb: 4096, maxConcurrency: 10 },
    },
    embeddingDimensions: 768,
    search: { instance: "r6g.large", instanceCount: 2, volumeGb: 100 },
    reconcileEveryMinutes: 5,
  }),
};

/** The preset for a stage: `production`, or `dev` for every other stage (personal and CI stages). */
export const settingsFor = (stage: string): StageSettings => ({ ...(PRESETS[stage] ?? PRESETS.dev!), stage });
