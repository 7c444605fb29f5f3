import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { createApp } from "@genq/api";
import { deleteCorpus, startRun } from "@genq/core";
import { createBedrockGenerator, createSageMakerGenerator, createSageMakerReader } from "@genq/aws";
import { createExtractiveGenerator, createExtractiveReader } from "@genq/ml";
import type { buildAwsDeps } from "./aws-deps.ts";
import { lambdaHttpLimits } from "./http-limits.ts";

/**
 * The HTTP app on Lambda: the same Hono app the local runtime serves, over the AWS adapters. QA uses the
 * SageMaker reader endpoint when the stage has one; RAG uses Bedrock when the stage names a model, else an
 * LLM endpoint, else the embedded extractive generator.
 */
export function createAwsHttpApp(deps: ReturnType<typeof buildAwsDeps>) {
  const d = deps.handlerDeps;
  return createApp({
    repo: d.repo,
    blobs: d.blobs,
    events: d.events,
    index: deps.index,
    clock: d.clock,
    logger: d.logger,
    encoderFor: deps.encoderFor,
    reader: deps.config.GENQ_QA_ENDPOINT
      ? createSageMakerReader(deps.runtime, deps.config.GENQ_QA_ENDPOINT)
      : createExtractiveReader(),
    generator: deps.config.GENQ_BEDROCK_MODEL_ID
      ? createBedrockGenerator(new BedrockRuntimeClient({ region: deps.config.AWS_REGION }), {
          modelId: deps.config.GENQ_BEDROCK_MODEL_ID,
        })
      : deps.config.GENQ_LLM_ENDPOINT
        ? createSageMakerGenerator(deps.runtime, deps.config.GENQ_LLM_ENDPOINT)
        : createExtractiveGenerator(),
    authenticate: (key) => deps.apiKeys.tenantOf(key),
    apiKeys: deps.apiKeys,
    corsOrigins: deps.config.GENQ_CORS_ORIGINS,
    startRun: (input) => startRun(d, input),
    deleteCorpus: (input) => deleteCorpus({ ...d, index: deps.index, deployer: deps.retirer }, input),
    limits: lambdaHttpLimits(deps.config.GENQ_MAX_DOCUMENT_MB),
    defaultTenant: deps.config.GENQ_DEFAULT_TENANT,
  });
}
