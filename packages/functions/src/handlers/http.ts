// Lambda: API Gateway → the same Hono app the local runtime serves.
import { handle } from "hono/aws-lambda";
import { createApp } from "@genq/api";
import { startRun } from "@genq/core";
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { createBedrockGenerator, createSageMakerGenerator, createSageMakerReader } from "@genq/aws";
import { createExtractiveGenerator, createExtractiveReader } from "@genq/ml";
import { awsDeps } from "../aws-deps.ts";

const deps = awsDeps();
const d = deps.handlerDeps;
export const handler = handle(
  createApp({
    repo: d.repo, blobs: d.blobs, events: d.events, index: deps.index, clock: d.clock, logger: d.logger,
    encoderFor: deps.encoderFor,
    reader: deps.config.GENQ_QA_ENDPOINT ? createSageMakerReader(deps.runtime, deps.config.GENQ_QA_ENDPOINT) : createExtractiveReader(),
    // RAG: Bedrock when the stage names a model, else an LLM endpoint, else the embedded extractive generator.
    generator: deps.config.GENQ_BEDROCK_MODEL_ID
      ? createBedrockGenerator(new BedrockRuntimeClient({ region: deps.config.AWS_REGION }), { modelId: deps.config.GENQ_BEDROCK_MODEL_ID })
      : deps.config.GENQ_LLM_ENDPOINT
        ? createSageMakerGenerator(deps.runtime, deps.config.GENQ_LLM_ENDPOINT)
        : createExtractiveGenerator(),
    authenticate: (key) => deps.apiKeys.tenantOf(key),
    apiKeys: deps.apiKeys,
    corsOrigins: deps.config.GENQ_CORS_ORIGINS,
    startRun: (input) => startRun(d, input),
    limits: { maxUploadBytes: Math.min(6, deps.config.GENQ_MAX_DOCUMENT_MB) * 1024 * 1024 },
  }),
);
