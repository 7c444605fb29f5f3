import { beforeAll, describe, expect, it } from "vitest";
import { loadFunctionConfig } from "../packages/functions/src/config.ts";
import { processorOf, stageImages } from "../stacks/images.ts";
import { settingsFor } from "../stacks/presets.ts";
import { documentEventPattern, pipelineEventPattern, sagemakerStateChangePattern } from "./event-patterns.ts";
import { deployUnderMocks, sstPlatformInstalled, type MockedDeployment, type MockedResource } from "./sst-mocks.ts";

// The whole SST app (sst.config.ts → infra/) instantiated under Pulumi's unit-testing mocks, with SST's
// real components from .sst/platform (`npm run sst:install`; CI runs it before the tests). The assertions
// read the inputs each AWS resource would be created with. Without the platform this suite is skipped
// and says so; infra.test.ts still checks the builders.

const T = {
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  permission: "aws:lambda/permission:Permission",
  fn: "aws:lambda/function:Function",
  role: "aws:iam/role:Role",
} as const;

type Json = Record<string, unknown>;
const env = (fn: MockedResource) => (fn.inputs.environment as { variables: Record<string, string> }).variables;
const policies = (role: MockedResource) =>
  (role.inputs.inlinePolicies as Array<{ policy: string }>).flatMap(
    (p) => (JSON.parse(p.policy) as { Statement: Json[] }).Statement,
  );
const pattern = (rule: MockedResource) => JSON.parse(String(rule.inputs.eventPattern)) as Json;
const targetsOf = (d: MockedDeployment, rule: MockedResource) =>
  d.all(T.target).filter((t) => t.inputs.rule === rule.state.name);
const fn = (d: MockedDeployment, logical: string) => d.one(T.fn, `${logical}Function`);
const arns = (...values: unknown[]) => values.flat();

/** Every rule's targets invoke the expected function, retry for a day, dead-letter, and may invoke it. */
function expectWiring(d: MockedDeployment, rule: MockedResource, logical: string) {
  const target = fn(d, logical);
  const targets = targetsOf(d, rule);
  expect(
    targets.map((t) => t.inputs.arn),
    rule.name,
  ).toEqual([target.state.arn]);
  expect(targets[0]!.inputs).toMatchObject({
    retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 86400 },
    deadLetterConfig: { arn: d.one("aws:sqs/queue:Queue", "DeadLettersQueue").state.arn },
  });
  const permissions = d.all(T.permission).filter((p) => p.inputs.sourceArn === rule.state.arn);
  expect(
    permissions.map((p) => [p.inputs.principal, p.inputs.action]),
    rule.name,
  ).toEqual([["events.amazonaws.com", "lambda:InvokeFunction"]]);
  expect([target.state.name, target.state.arn]).toContain(permissions[0]!.inputs.function);
}

describe.skipIf(!sstPlatformInstalled())(
  "the SST app under Pulumi mocks (skipped until `npm run sst:install` writes .sst/)",
  () => {
    let dev: MockedDeployment;
    let production: MockedDeployment;
    beforeAll(async () => {
      dev = await deployUnderMocks({ stage: "dev" });
      production = await deployUnderMocks({ stage: "production", region: "eu-south-1" });
    }, 120_000);

    it("sizes the OpenSearch domain as the stage says: SST's .search suffix once, the node count, two AZs from two nodes", () => {
      // sst/sst platform/src/components/aws/open-search.ts hard-codes `instanceCount: 1` and appends ".search".
      expect(dev.one("aws:opensearch/domain:Domain", "SearchDomain").inputs.clusterConfig).toMatchObject({
        instanceType: "t3.small.search",
        instanceCount: 1,
        zoneAwarenessEnabled: false,
      });
      expect(production.one("aws:opensearch/domain:Domain", "SearchDomain").inputs).toMatchObject({
        clusterConfig: {
          instanceType: "r6g.large.search",
          instanceCount: 2,
          zoneAwarenessEnabled: true,
          zoneAwarenessConfig: { availabilityZoneCount: 2 },
        },
        ebsOptions: { volumeSize: 100, volumeType: "gp3" },
      });
    });

    it("gives every function the domain's master user, since fine-grained access control maps no role", () => {
      for (const d of [dev, production]) {
        const domain = d.one("aws:opensearch/domain:Domain", "SearchDomain");
        const master = domain.inputs.advancedSecurityOptions as {
          enabled: boolean;
          masterUserOptions: { masterUserName: string; masterUserPassword: string };
        };
        expect(master.enabled).toBe(true);
        for (const f of d.all(T.fn)) {
          expect(env(f), f.name).toMatchObject({
            GENQ_OPENSEARCH_ENDPOINT: `https://${String(domain.state.endpoint)}`,
            GENQ_OPENSEARCH_USERNAME: master.masterUserOptions.masterUserName,
            GENQ_OPENSEARCH_PASSWORD: master.masterUserOptions.masterUserPassword,
          });
        }
      }
    });

    it("routes documents, SageMaker state changes, pipeline events and the schedule with their full patterns", () => {
      for (const d of [dev, production]) {
        const bucket = d.one("aws:s3/bucket:Bucket", "DocumentsBucket").state.bucket as string;
        const documents = d.one(T.rule, "DocumentEvents");
        expect(pattern(documents)).toEqual(documentEventPattern(bucket));
        expectWiring(d, documents, "Ingest");
        const sagemaker = d.one(T.rule, "SageMakerStateChanges");
        expect(pattern(sagemaker)).toEqual(sagemakerStateChangePattern());
        expect(sagemaker.inputs.eventBusName).toBeUndefined();
        expectWiring(d, sagemaker, "SageMakerStateChange");
        const stages = d.one(T.rule, "EventsSubscriberPipelineEventsSubscriberRule");
        expect(pattern(stages)).toEqual(pipelineEventPattern());
        expect(stages.inputs.eventBusName).toBe(d.one("aws:cloudwatch/eventBus:EventBus", "EventsBus").state.name);
        expectWiring(d, stages, "PipelineEvents");
        expectWiring(d, d.one(T.rule, "ReconcilerRule"), "Reconcile");
      }
      expect(dev.one(T.rule, "ReconcilerRule").inputs.scheduleExpression).toBe("rate(10 minutes)");
      expect(production.one(T.rule, "ReconcilerRule").inputs.scheduleExpression).toBe("rate(5 minutes)");
    });

    it("sends the bucket's events to EventBridge and invokes nothing from S3 directly", () => {
      for (const d of [dev, production]) {
        const notifications = d.all("aws:s3/bucketNotification:BucketNotification");
        expect(notifications.map((n) => n.inputs)).toEqual([
          { bucket: d.one("aws:s3/bucket:Bucket", "DocumentsBucket").state.bucket, eventbridge: true },
        ]);
        expect(d.all(T.permission).filter((p) => p.inputs.principal === "s3.amazonaws.com")).toEqual([]);
      }
      // Versioned in production, so deletions arrive as delete markers ("Object Deleted", deletion-type "Delete Marker Created").
      expect(
        production
          .all("aws:s3/bucketVersioning:BucketVersioning")
          .concat(production.all("aws:s3/bucketVersioningV2:BucketVersioningV2"))
          .map((v) => v.inputs.versioningConfiguration),
      ).toEqual([{ status: "Enabled" }]);
    });

    it("lets EventBridge dead-letter only for the rules that use the queue", () => {
      for (const d of [dev, production]) {
        const queue = d.one("aws:sqs/queue:Queue", "DeadLettersQueue");
        const [policy, ...others] = d.all("aws:sqs/queuePolicy:QueuePolicy");
        expect(others).toEqual([]);
        expect(policy!.inputs.queueUrl).toBe(queue.state.url);
        const statements = (JSON.parse(String(policy!.inputs.policy)) as { Statement: Json[] }).Statement;
        const usingQueue = d
          .all(T.target)
          .filter((t) => (t.inputs.deadLetterConfig as { arn?: string } | undefined)?.arn === queue.state.arn);
        const ruleArns = usingQueue.map((t) => d.all(T.rule).find((r) => r.state.name === t.inputs.rule)!.state.arn);
        expect(usingQueue).toHaveLength(4);
        expect(statements).toEqual([
          {
            Sid: "RuleDeadLetters",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: ["sqs:SendMessage"],
            Resource: [queue.state.arn],
            Condition: { ArnEquals: { "aws:SourceArn": expect.arrayContaining(ruleArns) } },
          },
        ]);
        expect(
          (statements[0]!.Condition as { ArnEquals: { "aws:SourceArn": string[] } }).ArnEquals["aws:SourceArn"],
        ).toHaveLength(4);
      }
    });

    it("gives every function an environment its config accepts, carrying the stage's sizing and the region's images", () => {
      const devImages = stageImages("us-east-1", settingsFor("dev"));
      for (const f of dev.all(T.fn)) {
        const config = loadFunctionConfig(env(f));
        expect(config, f.name).toMatchObject({
          GENQ_ENDPOINT_MODE: "serverless",
          GENQ_ENDPOINT_MEMORY_MB: 4096,
          GENQ_ENDPOINT_MAX_CONCURRENCY: 5,
          GENQ_EMBEDDING_INSTANCE: "ml.c6i.xlarge",
          GENQ_INFERENCE_IMAGE: devImages.inference,
          GENQ_TRAINING_IMAGE: devImages.training,
        });
        expect(config.GENQ_QA_ENDPOINT, f.name).toBeUndefined();
        expect(config.GENQ_INFERENCE_IMAGE).toContain(`-${processorOf(config.GENQ_EMBEDDING_INSTANCE)}-`);
      }
      for (const f of production.all(T.fn)) {
        const config = loadFunctionConfig(env(f));
        expect(config, f.name).toMatchObject({
          GENQ_ENDPOINT_MODE: "real-time",
          GENQ_ENDPOINT_INSTANCE: "ml.c6i.xlarge",
          GENQ_ENDPOINT_INSTANCE_COUNT: 2,
          GENQ_EMBEDDING_INSTANCE: "ml.c6i.2xlarge",
        });
        expect(config.GENQ_TRAINING_IMAGE).toMatch(
          /^692866216735\.dkr\.ecr\.eu-south-1\.amazonaws\.com\/huggingface-pytorch-training:/,
        );
        expect(config.GENQ_INFERENCE_IMAGE).toContain(`-${processorOf(config.GENQ_EMBEDDING_INSTANCE)}-`);
      }
    });

    it("serves /qa from the roberta-base-squad2 endpoint in production only, and tells the HTTP function its name", () => {
      expect(dev.all("aws:sagemaker/endpoint:Endpoint")).toEqual([]);
      const model = production.one("aws:sagemaker/model:Model", "QaReaderModel");
      expect(model.inputs.primaryContainer).toEqual({
        image: stageImages("eu-south-1", settingsFor("production")).qaReader,
        environment: { HF_MODEL_ID: "deepset/roberta-base-squad2", HF_TASK: "question-answering" },
      });
      const config = production.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "QaReaderConfig");
      expect(config.inputs.productionVariants).toEqual([
        {
          variantName: "reader",
          modelName: model.state.name,
          serverlessConfig: { memorySizeInMb: 4096, maxConcurrency: 10 },
        },
      ]);
      const endpoint = production.one("aws:sagemaker/endpoint:Endpoint", "QaReaderEndpoint");
      expect(endpoint.inputs.endpointConfigName).toBe(config.state.name);
      expect(env(fn(production, "Http")).GENQ_QA_ENDPOINT).toBe(endpoint.state.name);
      expect(
        production
          .all(T.fn)
          .filter((f) => env(f).GENQ_QA_ENDPOINT)
          .map((f) => f.name),
      ).toEqual(["HttpFunction"]);
      // Invoking it is covered by the functions' SageMaker statement (endpoints named genq-*).
      expect(String(endpoint.state.name)).toMatch(/^genq-/);
    });

    it("grants the SageMaker role what CreateTrainingJob needs, from the region's registry", () => {
      // Amazon SageMaker developer guide, "CreateTrainingJob API: Execution Role Permissions".
      const statements = (
        JSON.parse(
          String(production.one("aws:iam/rolePolicy:RolePolicy", "SageMakerExecutionPolicy").inputs.policy),
        ) as { Statement: Array<{ Action: string[]; Resource: string[] }> }
      ).Statement;
      const actions = statements.flatMap((s) => s.Action);
      expect(actions).toEqual(
        expect.arrayContaining([
          "cloudwatch:PutMetricData",
          "logs:DescribeLogStreams",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          "ecr:GetAuthorizationToken",
          "ecr:BatchGetImage",
          "s3:ListBucket",
        ]),
      );
      expect(statements.flatMap((s) => s.Resource)).toContain(
        "arn:aws:ecr:eu-south-1:692866216735:repository/huggingface-*",
      );
      expect(JSON.parse(String(production.one(T.role, "SageMakerExecution").inputs.assumeRolePolicy))).toEqual({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" }],
      });
    });

    it("lets the functions and the reconciler drive and describe only genq's SageMaker resources, under roles only Lambda assumes", () => {
      for (const d of [dev, production]) {
        for (const logical of ["Ingest", "SageMakerStateChange", "PipelineEvents", "Reconcile", "Http"]) {
          const role = d.one(T.role, `${logical}Role`);
          expect(JSON.parse(String(role.inputs.assumeRolePolicy)), logical).toEqual({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
          });
          const sagemaker = policies(role).find((s) => arns(s.Action).includes("sagemaker:DescribeTrainingJob"))!;
          expect(arns(sagemaker.Action)).toEqual(
            expect.arrayContaining([
              "sagemaker:DescribeTransformJob",
              "sagemaker:DescribeEndpoint",
              "sagemaker:CreateTrainingJob",
              "sagemaker:InvokeEndpoint",
            ]),
          );
          expect(
            arns(sagemaker.Resource).every((r) =>
              /^arn:aws:sagemaker:[a-z0-9-]+:123456789012:[a-z-]+\/genq-\*$/.test(String(r)),
            ),
          ).toBe(true);
          const pass = policies(role).find((s) => arns(s.Action).includes("iam:PassRole"))!;
          expect(pass).toMatchObject({
            Resource: d.one(T.role, "SageMakerExecution").state.arn,
            Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
          });
        }
      }
    });

    it("runs every function on Node.js 22 for up to 15 minutes with 2 GB, its failed async events dead-lettered, the API on the http function", () => {
      const queue = dev.one("aws:sqs/queue:Queue", "DeadLettersQueue");
      for (const f of dev.all(T.fn)) {
        expect(f.inputs, f.name).toMatchObject({
          runtime: "nodejs22.x",
          timeout: 900,
          memorySize: 2048,
          deadLetterConfig: { targetArn: queue.state.arn },
        });
      }
      const integration = dev.all("aws:apigatewayv2/integration:Integration");
      expect(integration.map((i) => i.inputs.integrationUri)).toEqual([fn(dev, "Http").state.arn]);
      // API Gateway's CORS would override the app's (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html);
      // SST enables it for every origin unless told otherwise (sst/sst platform/src/components/aws/apigatewayv2.ts, normalizeCors).
      for (const d of [dev, production])
        expect(d.all("aws:apigatewayv2/api:Api").map((a) => a.inputs.corsConfiguration ?? {})).toEqual([{}]);
    });

    it("bundles every handler it wires, each exporting its function", () => {
      expect(dev.handlers.sort()).toEqual(
        ["http", "ingest", "pipeline", "reconcile", "sagemaker"].map(
          (h) => `packages/functions/src/handlers/${h}.handler`,
        ),
      );
      expect(dev.handlerProblems).toEqual([]);
    });

    it("stops a deploy to a region without the containers, naming the supported ones", async () => {
      await expect(deployUnderMocks({ stage: "dev", region: "eu-central-2" })).rejects.toThrow(
        /cannot deploy to region "eu-central-2".*us-east-1/,
      );
    });

    it("reports its outputs, idle cost included", () => {
      expect(production.outputs).toMatchObject({
        qaEndpoint: "genq-production-qa-reader",
        estimatedIdleCostUsdPerMonth: expect.any(Number),
      });
      expect(dev.outputs).toMatchObject({ qaEndpoint: "none (embedded reader)" });
    });
  },
);
