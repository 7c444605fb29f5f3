import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { DescribeTrainingJobCommand } from "@aws-sdk/client-sagemaker";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTransient } from "@genq/core";
import { describeJob } from "@genq/aws";
import { startOpenSearchStandIn, type OpenSearchStandIn } from "./opensearch-standin.ts";
import { startSageMakerServer, type SageMakerServer } from "./sagemaker-server.ts";
import { s3rverClient } from "./fixtures.ts";
import { buildAwsDeps } from "../../packages/functions/src/aws-deps.ts";

let os: OpenSearchStandIn;
let sim: SageMakerServer;
beforeAll(async () => {
  os = await startOpenSearchStandIn({ users: { master: "Master-pass1" } });
  sim = await startSageMakerServer({ s3: s3rverClient("http://127.0.0.1:9") });
});
afterAll(async () => Promise.all([os?.stop(), sim?.stop()]));

const env = (extra: Record<string, string>) => ({
  AWS_REGION: "us-east-1",
  GENQ_BUCKET: "genq-docs",
  GENQ_TABLE: "genq",
  GENQ_EVENT_BUS: "genq",
  GENQ_DEAD_LETTER_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/genq-dlq",
  GENQ_OPENSEARCH_ENDPOINT: os.url,
  GENQ_SAGEMAKER_ROLE_ARN: "arn:aws:iam::123456789012:role/genq-sagemaker",
  GENQ_QUERYGEN_MODEL: "genq-query-gen",
  GENQ_TRAINING_IMAGE: "hf-training",
  GENQ_INFERENCE_IMAGE: "hf-inference",
  GENQ_SOURCE_DIR: "s3://genq-docs/code/sourcedir.tar.gz",
  ...extra,
});

// A domain with fine-grained access control answers 403 to a role it maps to nothing; the functions
// authenticate as the domain's master user instead (HTTP basic auth).
describe("AWS composition root: OpenSearch", () => {
  it("talks to the domain as its master user when the function is given one", async () => {
    const deps = buildAwsDeps(env({ GENQ_OPENSEARCH_USERNAME: "master", GENQ_OPENSEARCH_PASSWORD: "Master-pass1" }));
    expect(await deps.index.servingVersion("docs")).toBeNull();
    expect(os.requests.at(-1)).toEqual({ method: "HEAD", path: "/_alias/genq-serving-docs" });
  });

  it("is refused with a wrong password, and refuses half a user at start", async () => {
    await expect(
      buildAwsDeps(env({ GENQ_OPENSEARCH_USERNAME: "master", GENQ_OPENSEARCH_PASSWORD: "wrong" })).index.servingVersion(
        "docs",
      ),
    ).rejects.toThrow();
    expect(() => buildAwsDeps(env({ GENQ_OPENSEARCH_USERNAME: "master" }))).toThrow(
      /username and password go together/,
    );
  });
});

// The run engine retries a stage whose error is transient and fails it for any other (core's issueCommand).
// What counts as curable is the SDK's own classification (smithy-lang/smithy-typescript, @smithy/core
// retry: isThrottlingError — HTTP 429 or a throttling code such as ThrottlingException; isTransientError —
// 500/502/503/504, timeouts, dropped connections); the simulator answers throttled calls as SageMaker does
// (400 ThrottlingException "Rate exceeded").
// The SDK retries throttling, 5xx and dropped connections a few times itself (standard retry strategy,
// 3 attempts); what outlasts them must still reach the engine as transient, or a burst of SageMaker's
// "Rate exceeded" (its Describe* and Create* calls are rate-limited per account) would fail the whole run.
describe("AWS composition root: errors a retry can cure", () => {
  it("reports a SageMaker call throttled past the SDK's own retries as transient, and not other errors", async () => {
    const { sagemaker, runtime } = sim.clients();
    const deps = buildAwsDeps(
      env({ GENQ_OPENSEARCH_USERNAME: "master", GENQ_OPENSEARCH_PASSWORD: "Master-pass1" }),
      (region) => ({
        s3: new S3Client({ region }),
        dynamodb: new DynamoDBClient({ region }),
        eventBridge: new EventBridgeClient({ region }),
        sagemaker,
        sagemakerRuntime: runtime,
        sqs: new SQSClient({ region }),
      }),
    );
    sim.throttle("DescribeTrainingJob", 5);
    const throttled = await describeJob(deps.clients.sagemaker, "training", "genq-r1-train").catch((e: unknown) => e);
    expect(isTransient(throttled)).toBe(true);
    expect((throttled as Error).message).toMatch(/Rate exceeded/);
    expect(await describeJob(deps.clients.sagemaker, "training", "genq-r1-train")).toBeNull();
    const refused = await deps.clients.sagemaker
      .send(new DescribeTrainingJobCommand({ TrainingJobName: "not_a_name" }))
      .catch((e: unknown) => e);
    expect(isTransient(refused)).toBe(false);
  });
});
