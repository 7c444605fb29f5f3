import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import {
  DEFAULT_STAGE_DEADLINES,
  parseStageDeadlines,
  systemClock,
  type Encoder,
  type Logger as CoreLogger,
  type StageDeadlines,
} from "@genq/core";
import {
  createDynamoDbApiKeys,
  createDynamoDbPipelineRepository,
  createEventBridgePublisher,
  createOpenSearchClient,
  createOpenSearchSearchIndex,
  createS3BlobStore,
  createSageMakerDeployer,
  createSageMakerEncoder,
  createSageMakerQueryGenerator,
  createSageMakerRetirer,
  createSageMakerTrainer,
  markTransientErrors,
} from "@genq/aws";
import { heldoutCleaner } from "@genq/ml";
import { parseDocument } from "@genq/parsing";
import { createAwsPipeline } from "./aws-pipeline.ts";
import { loadFunctionConfig } from "./config.ts";
import type { HandlerDeps } from "./handler-deps.ts";

/** The AWS SDK clients the functions use; tests point them at emulators and stand-ins. */
export interface AwsClients {
  s3: S3Client;
  dynamodb: DynamoDBClient;
  eventBridge: EventBridgeClient;
  sagemaker: SageMakerClient;
  sagemakerRuntime: SageMakerRuntimeClient;
  sqs: SQSClient;
}

const defaultClients = (region: string): AwsClients => ({
  s3: new S3Client({ region }),
  dynamodb: new DynamoDBClient({ region }),
  eventBridge: new EventBridgeClient({ region }),
  sagemaker: new SageMakerClient({ region }),
  sagemakerRuntime: new SageMakerRuntimeClient({ region }),
  sqs: new SQSClient({ region }),
});

/**
 * The AWS composition root: config parsed once per cold start, clients and adapters built once, the
 * handlers' dependencies returned. Only this file chooses adapters on Lambda.
 */
export function buildAwsDeps(
  env: Record<string, string | undefined> = process.env,
  clientsFor: (region: string) => AwsClients = defaultClients,
) {
  const c = loadFunctionConfig(env);
  const region = c.AWS_REGION;
  const clients = clientsFor(region);
  // Errors that outlast the SDK's own retries (throttling, 5xx, dropped connections) are retried by the
  // run engine and the event's redelivery instead of failing a run.
  for (const client of Object.values(clients)) markTransientErrors(client);
  const powertools = new Logger({ serviceName: "genq" });
  // The core Logger port: constant message, data as one attributes object (Powertools merges it into the line).
  const logger: CoreLogger = {
    debug: (m, a) => powertools.debug(m, a ?? {}),
    info: (m, a) => powertools.info(m, a ?? {}),
    warn: (m, a) => powertools.warn(m, a ?? {}),
    error: (m, a) => powertools.error(m, a ?? {}),
  };
  const blobs = createS3BlobStore(clients.s3, c.GENQ_BUCKET);
  const doc = DynamoDBDocumentClient.from(clients.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const repo = createDynamoDbPipelineRepository(doc, c.GENQ_TABLE);
  const events = createEventBridgePublisher(clients.eventBridge, { busName: c.GENQ_EVENT_BUS });
  const sagemaker = clients.sagemaker;
  const runtime = clients.sagemakerRuntime;
  const opensearch = createOpenSearchClient({
    node: c.GENQ_OPENSEARCH_ENDPOINT,
    region,
    username: c.GENQ_OPENSEARCH_USERNAME,
    password: c.GENQ_OPENSEARCH_PASSWORD,
    getCredentials: defaultProvider(),
  });
  const index = createOpenSearchSearchIndex(opensearch);
  const sqs = clients.sqs;
  const encoders = new Map<string, Encoder>();
  const encoderFor = async (modelId: string) => {
    let e = encoders.get(modelId);
    if (!e) {
      const model = await repo.getModelVersion(modelId);
      if (!model?.endpoint) throw new Error(`model ${modelId} has no endpoint`);
      encoders.set(modelId, (e = createSageMakerEncoder(runtime, model.endpoint, c.GENQ_EMBEDDING_DIMENSIONS)));
    }
    return e;
  };
  const sagemakerDeployer = createSageMakerDeployer(sagemaker, {
    roleArn: c.GENQ_SAGEMAKER_ROLE_ARN,
    inferenceImage: c.GENQ_INFERENCE_IMAGE,
    mode:
      c.GENQ_ENDPOINT_MODE === "serverless"
        ? { kind: "serverless", memoryMb: c.GENQ_ENDPOINT_MEMORY_MB, maxConcurrency: c.GENQ_ENDPOINT_MAX_CONCURRENCY }
        : { kind: "real-time", instanceType: c.GENQ_ENDPOINT_INSTANCE, instanceCount: c.GENQ_ENDPOINT_INSTANCE_COUNT },
  });
  // Gives back a run that will not serve (tidying after it, deleting its corpus): its SageMaker jobs still in
  // progress are stopped, its endpoint, endpoint config and model deleted.
  const retirer = createSageMakerRetirer(sagemaker, sagemakerDeployer, logger);
  const stages = createAwsPipeline({
    repo,
    blobs,
    events,
    clock: systemClock,
    logger,
    index,
    sagemaker,
    encoderFor,
    bucket: c.GENQ_BUCKET,
    queriesPerPassage: c.GENQ_QUERIES_PER_PASSAGE,
    heldOutFraction: c.GENQ_HELDOUT_FRACTION,
    seed: c.GENQ_SEED,
    gateMinGain: c.GENQ_GATE_MIN_GAIN,
    embedding: { instanceType: c.GENQ_EMBEDDING_INSTANCE, dimensions: c.GENQ_EMBEDDING_DIMENSIONS },
    evaluation: { cleanHeldout: heldoutCleaner },
    queryGenerator: createSageMakerQueryGenerator(sagemaker, {
      bucket: c.GENQ_BUCKET,
      roleArn: c.GENQ_SAGEMAKER_ROLE_ARN,
      modelName: c.GENQ_QUERYGEN_MODEL,
      instanceType: c.GENQ_TRANSFORM_INSTANCE,
      queriesPerPassage: c.GENQ_QUERIES_PER_PASSAGE,
    }),
    trainer: createSageMakerTrainer(sagemaker, {
      bucket: c.GENQ_BUCKET,
      roleArn: c.GENQ_SAGEMAKER_ROLE_ARN,
      trainingImage: c.GENQ_TRAINING_IMAGE,
      instanceType: c.GENQ_TRAINING_INSTANCE,
      sourceDir: c.GENQ_SOURCE_DIR,
      baseModel: c.GENQ_BASE_MODEL,
      hyperparameters: { epochs: c.GENQ_EPOCHS, seed: c.GENQ_SEED },
      maxRuntimeSeconds: 4 * 3600,
    }),
    deployer: sagemakerDeployer,
  });
  const handlerDeps: HandlerDeps = {
    repo,
    blobs,
    events,
    clock: systemClock,
    logger,
    stages,
    parse: parseDocument,
    tidy: { index, deployer: retirer },
    maxDocumentBytes: Math.round(c.GENQ_MAX_DOCUMENT_MB * 1024 * 1024),
    defaultTenant: c.GENQ_DEFAULT_TENANT,
    index,
    encoderFor,
    retrainAfter: c.GENQ_RETRAIN_AFTER,
    deadLetter: async (event, reason) =>
      void (await sqs.send(
        new SendMessageCommand({
          QueueUrl: c.GENQ_DEAD_LETTER_QUEUE_URL,
          MessageBody: JSON.stringify({ reason, event }),
        }),
      )),
  };
  // SageMaker jobs take longer than local ones: they get a day (deployment two hours) before the reconciler fails them.
  const awsDefaults: StageDeadlines = {
    ...DEFAULT_STAGE_DEADLINES,
    training: 24 * 3_600_000,
    indexing: 24 * 3_600_000,
    generating: 24 * 3_600_000,
    deploying: 2 * 3_600_000,
  };
  const deadlines = parseStageDeadlines(c.GENQ_STAGE_DEADLINES, awsDefaults);
  return {
    config: c,
    powertools,
    handlerDeps,
    index,
    encoderFor,
    runtime,
    deadlines,
    clients,
    retirer,
    pipeline: {
      blobs,
      events,
      repo,
      clock: systemClock,
      index,
      heldOutFraction: c.GENQ_HELDOUT_FRACTION,
      seed: c.GENQ_SEED,
      embedding: { instanceType: c.GENQ_EMBEDDING_INSTANCE, dimensions: c.GENQ_EMBEDDING_DIMENSIONS },
    },
    apiKeys: createDynamoDbApiKeys(doc, c.GENQ_TABLE),
  };
}

let built: ReturnType<typeof buildAwsDeps> | undefined;
/** The dependencies of this Lambda container, built on first use (cold start) and kept. */
export const awsDeps = () => (built ??= buildAwsDeps());
