import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenSearchStandIn, type OpenSearchStandIn } from "./opensearch-standin.ts";
import { buildAwsDeps } from "../../packages/functions/src/aws-deps.ts";

let os: OpenSearchStandIn;
beforeAll(async () => {
  os = await startOpenSearchStandIn({ users: { master: "Master-pass1" } });
});
afterAll(() => os?.stop());

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
