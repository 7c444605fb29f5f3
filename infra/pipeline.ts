import type { StageSettings } from "../stacks/settings.ts";
import { functionEnvironment } from "./environment.ts";
import { pipelineEventPattern, sagemakerStateChangePattern } from "./event-patterns.ts";
import { bedrockInvokePolicy, pipelineSageMakerPolicy, sagemakerExecutionPolicy } from "./policies.ts";

interface Deps {
  settings: StageSettings;
  bucket: sst.aws.Bucket;
  table: sst.aws.Dynamo;
  bus: sst.aws.Bus;
  deadLetters: sst.aws.Queue;
  domain: sst.aws.OpenSearch;
}

const retention = (days: number) => (days <= 7 ? "1 week" : days <= 14 ? "2 weeks" : days <= 30 ? "1 month" : days <= 90 ? "3 months" : "1 year") as "1 week";

/**
 * The pipeline: the SageMaker execution role (least privilege), the query-generation model, and the
 * Lambda functions — ingest (bucket notifications), SageMaker state changes (rule on the default bus),
 * genq's own stage events (rule on genq's bus) — each with retries and the shared dead-letter queue.
 */
export function pipeline(d: Deps) {
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput();
  const scope = $resolve([identity.accountId, region.name, d.bucket.name]).apply(([account, regionName, bucket]) => ({ partition: "aws", account, region: regionName, bucket }));

  const role = new aws.iam.Role("SageMakerExecution", {
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  });
  new aws.iam.RolePolicy("SageMakerExecutionPolicy", { role: role.id, policy: scope.apply((s) => JSON.stringify(sagemakerExecutionPolicy(s))) });

  const queryGen = new aws.sagemaker.Model("QueryGeneration", {
    executionRoleArn: role.arn,
    primaryContainer: { image: d.settings.images.queryGeneration, environment: { HF_MODEL_ID: d.settings.queryGeneration.modelId, HF_TASK: "text2text-generation" } },
  });

  const environment = $resolve([d.bucket.name, d.table.name, d.bus.name, d.deadLetters.url, d.domain.url, role.arn, queryGen.name, region.name]).apply(
    ([bucket, table, bus, dlq, search, roleArn, model, regionName]) =>
      functionEnvironment({ region: regionName, bucket, table, bus, deadLetterQueueUrl: dlq, openSearchEndpoint: search, sagemakerRoleArn: roleArn, queryGenerationModel: model, sourceDir: `s3://${bucket}/code/sourcedir.tar.gz` }, d.settings),
  );
  const sagemakerPolicy = $resolve([identity.accountId, region.name, d.bucket.name, role.arn]).apply(([account, regionName, bucket, roleArn]) =>
    pipelineSageMakerPolicy({ partition: "aws", account, region: regionName, bucket, executionRoleArn: roleArn }),
  );
  // Only a function that composes answers (the HTTP API) may invoke the stage's Bedrock model, if it has one.
  const modelId = d.settings.rag.bedrockModelId;
  const bedrockPolicy = modelId ? scope.apply((s) => bedrockInvokePolicy(s, modelId)) : undefined;
  const statements = (withBedrock: boolean) =>
    withBedrock && bedrockPolicy ? $resolve([sagemakerPolicy, bedrockPolicy]).apply(([a, b]) => [...a!.Statement, ...b!.Statement]) : sagemakerPolicy.apply((p) => p.Statement);
  const fn = (name: string, handler: string, options: { bedrock?: boolean } = {}) =>
    new sst.aws.Function(name, {
      handler,
      runtime: "nodejs22.x",
      timeout: "15 minutes",
      memory: "2048 MB",
      environment,
      link: [d.bucket, d.table, d.bus, d.deadLetters, d.domain],
      permissions: statements(options.bedrock ?? false).apply((sts) => sts.map((st) => ({ actions: st.Action, resources: st.Resource }))),
      logging: { retention: retention(d.settings.logRetentionDays) },
      transform: { function: { deadLetterConfig: { targetArn: d.deadLetters.arn } } },
    });

  const ingest = fn("Ingest", "packages/functions/src/handlers/ingest.handler");
  d.bucket.notify({ notifications: [{ name: "Ingest", function: ingest.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "corpora/" }] });

  const sagemakerFn = fn("SageMakerStateChange", "packages/functions/src/handlers/sagemaker.handler");
  const rule = new aws.cloudwatch.EventRule("SageMakerStateChanges", { eventPattern: JSON.stringify(sagemakerStateChangePattern()) });
  new aws.cloudwatch.EventTarget("SageMakerStateChangesTarget", {
    rule: rule.name,
    arn: sagemakerFn.arn,
    retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 24 * 3600 },
    deadLetterConfig: { arn: d.deadLetters.arn },
  });
  new aws.lambda.Permission("SageMakerStateChangesInvoke", { action: "lambda:InvokeFunction", function: sagemakerFn.name, principal: "events.amazonaws.com", sourceArn: rule.arn });

  const stages = fn("PipelineEvents", "packages/functions/src/handlers/pipeline.handler");
  d.bus.subscribe("PipelineEventsSubscriber", stages.arn, {
    pattern: pipelineEventPattern() as never,
    transform: { target: { retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 24 * 3600 }, deadLetterConfig: { arn: d.deadLetters.arn } } },
  });

  return { role, queryGen, environment, fn };
}
