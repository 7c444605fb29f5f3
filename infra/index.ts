import { estimateIdleCost } from "../stacks/costs.ts";
import { stageImages } from "../stacks/images.ts";
import { settingsFor } from "../stacks/presets.ts";
import { api } from "./api.ts";
import { functionEnvironment, httpEnvironment } from "./environment.ts";
import { events } from "./events.ts";
import { functionFactory, toFunctionPermissions } from "./functions.ts";
import { pipeline, sagemakerName, sagemakerRole } from "./pipeline.ts";
import { bedrockInvokePolicy, pipelineSageMakerPolicy } from "./policies.ts";
import { qaReader } from "./reader.ts";
import { search } from "./search.ts";
import { state } from "./state.ts";
import { storage } from "./storage.ts";

/** Every resource of a stage, wired from the concerns in this folder; returns the stage's outputs. */
export async function deploy(stage: string) {
  const settings = settingsFor(stage);
  // Resolved before anything is created, so an unsupported region stops the deploy with one clear error.
  const region = (await aws.getRegion()).region;
  const images = stageImages(region, settings);
  const identity = aws.getCallerIdentityOutput();
  const partition = aws.getPartitionOutput().partition;

  const { bucket } = storage(settings);
  const { table } = state();
  const { bus, deadLetters } = events(settings);
  const { domain } = search(settings);
  const { role } = sagemakerRole({ bucket, region, images });

  const queryGeneration = new aws.sagemaker.Model(
    "QueryGeneration",
    {
      name: sagemakerName(settings.stage, "query-generation"),
      executionRoleArn: role.arn,
      primaryContainer: {
        image: images.queryGeneration,
        environment: { HF_MODEL_ID: settings.queryGeneration.modelId, HF_TASK: "text2text-generation" },
      },
    },
    { deleteBeforeReplace: true },
  );
  const readerEndpoint = qaReader({ settings, role, images });

  const environment = $resolve([
    bucket.name,
    table.name,
    bus.name,
    deadLetters.url,
    domain.url,
    domain.username,
    domain.password,
    role.arn,
    queryGeneration.name,
  ]).apply(([bucketName, tableName, busName, dlq, url, username, password, roleArn, model]) =>
    functionEnvironment(
      {
        bucket: bucketName,
        table: tableName,
        bus: busName,
        deadLetterQueueUrl: dlq,
        openSearchEndpoint: url,
        openSearchUsername: username,
        openSearchPassword: password,
        sagemakerRoleArn: roleArn,
        queryGenerationModel: model,
        sourceDir: `s3://${bucketName}/code/sourcedir.tar.gz`,
        images,
      },
      settings,
    ),
  );
  const permissions = $resolve([partition, identity.accountId, bucket.name, role.arn]).apply(
    ([p, account, bucketName, roleArn]) =>
      toFunctionPermissions(
        pipelineSageMakerPolicy({ partition: p, account, region, bucket: bucketName, executionRoleArn: roleArn }),
      ),
  );
  const fn = functionFactory({
    settings,
    environment,
    permissions,
    link: [bucket, table, bus, deadLetters, domain],
    deadLetters,
  });

  pipeline({ settings, bucket, bus, deadLetters, fn });
  // Only the function that composes answers (the HTTP API) may invoke the stage's Bedrock model, if it has one.
  const modelId = settings.rag.bedrockModelId;
  const httpPermissions = modelId
    ? $resolve([partition, identity.accountId, bucket.name, role.arn]).apply(([p, account, bucketName, roleArn]) => [
        ...toFunctionPermissions(
          pipelineSageMakerPolicy({ partition: p, account, region, bucket: bucketName, executionRoleArn: roleArn }),
        ),
        ...toFunctionPermissions(bedrockInvokePolicy({ partition: p, account, region }, modelId)),
      ])
    : permissions;
  const http = fn("Http", "packages/functions/src/handlers/http.handler", {
    environment: readerEndpoint
      ? readerEndpoint.apply((name) => environment.apply((env) => httpEnvironment(env, name)))
      : environment,
    permissions: httpPermissions,
  });
  const { gateway } = api(http);

  return {
    api: gateway.url,
    bucket: bucket.name,
    bus: bus.name,
    // The table the API keys live in: `GENQ_TABLE=<table> npm run keys:aws -- create --tenant NAME`.
    table: table.name,
    deadLetters: deadLetters.url,
    qaEndpoint: readerEndpoint ?? "none (embedded reader)",
    estimatedIdleCostUsdPerMonth: estimateIdleCost(settings).totalUsdPerMonth,
  };
}
