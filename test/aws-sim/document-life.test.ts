import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteCorpus, silentLogger, systemClock, type Encoder, type GenqEvent } from "@genq/core";
import {
  PIPELINE_TABLE_DEFINITION,
  createDynamoDbPipelineRepository,
  createOpenSearchClient,
  createOpenSearchSearchIndex,
  createS3BlobStore,
} from "@genq/aws";
import { parseDocument } from "@genq/parsing";
import { createS3ObjectEventsHandler, type HandlerDeps } from "@genq/functions";
import { startDynamoDbLocal, startS3rver, type Emulator } from "../contracts/emulators.ts";
import { s3rverClient } from "./fixtures.ts";
import { startOpenSearchStandIn, type OpenSearchStandIn } from "./opensearch-standin.ts";

const BUCKET = "genq-life";
let s3: Emulator;
let dynamo: Emulator;
let os: OpenSearchStandIn;
beforeAll(async () => {
  [s3, dynamo, os] = await Promise.all([
    startS3rver(BUCKET),
    startDynamoDbLocal(),
    startOpenSearchStandIn({ users: { genq: "Master-pass1" } }),
  ]);
}, 120_000);
afterAll(async () => Promise.all([s3?.stop(), dynamo?.stop(), os?.stop()]));

/** Stands in for the serving SageMaker endpoint: a 4-dimensional unit vector per text (the endpoint's contract is tested in sagemaker-simulator.test.ts). */
const encoder: Encoder = {
  dimensions: 4,
  encode: async (texts) =>
    texts.map((t) => Float32Array.from([1, t.length % 7, 0, 0].map((x, _, a) => x / Math.hypot(...a)))),
};

/**
 * A document's life on the AWS runtime, through the ingest function with S3 (s3rver), DynamoDB (DynamoDB
 * Local) and OpenSearch (the stand-in): an object dropped into a served corpus with user metadata is
 * searchable without a run, filtered by its metadata; a delete marker removes it from the index at once;
 * the corpus is then deleted with its index versions and serving alias.
 */
describe("the life of a document on AWS", () => {
  it("indexes a dropped object without a run, removes it on its delete marker, and deletes the corpus", async () => {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await client.send(new CreateTableCommand({ TableName: "genq-life", ...PIPELINE_TABLE_DEFINITION }));
    const repo = createDynamoDbPipelineRepository(
      DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
      "genq-life",
    );
    const s3client = s3rverClient(s3.endpoint);
    const blobs = createS3BlobStore(s3client, BUCKET);
    const index = createOpenSearchSearchIndex(
      createOpenSearchClient({ node: os.url, region: "us-east-1", username: "genq", password: "Master-pass1" }),
      { prefix: "life" },
    );
    const published: GenqEvent[] = [];
    const deps: HandlerDeps = {
      repo,
      blobs,
      index,
      clock: systemClock,
      logger: silentLogger,
      parse: parseDocument,
      maxDocumentBytes: 1 << 20,
      defaultTenant: "acme",
      events: {
        publish: async (events) =>
          events.map(
            (e) => (
              published.push({ ...e, id: e.id ?? String(published.length), time: "t" } as GenqEvent),
              published.at(-1)!
            ),
          ),
      },
      stages: {} as never,
      encoderFor: async () => encoder,
      retrainAfter: null,
      deadLetter: async () => {},
    };
    const handler = createS3ObjectEventsHandler(async () => deps);
    // A served corpus, as its first run leaves it.
    await repo.putCorpus(
      {
        name: "handbook",
        tenant: "acme",
        createdAt: "t",
        servingRunId: "r1",
        servingIndexVersion: "r1-index",
        servingSetup: null,
        activeRunId: null,
        version: 0,
      },
      null,
    );
    await repo.putIndexVersion({
      id: "r1-index",
      corpus: "handbook",
      runId: "r1",
      modelId: "r1-model",
      passageCount: 0,
      createdAt: "t",
    });
    await index.createVersion({ corpus: "handbook", version: "r1-index", dimensions: 4, tenant: "acme" });
    await index.promote("handbook", "r1-index");

    // `aws s3 cp guide.md s3://…/corpora/handbook/docs/ops/vacuum guide.md --metadata team=ops`
    const key = "corpora/handbook/docs/ops/vacuum guide.md";
    await s3client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: "# Vacuum\n\nVACUUM reclaims storage occupied by dead tuples.",
        Metadata: { team: "ops" },
      }),
    );
    const created = {
      version: "0",
      id: "e1",
      "detail-type": "Object Created",
      source: "aws.s3",
      time: "2026-01-10T12:00:00Z",
      detail: {
        bucket: { name: BUCKET },
        object: { key: "corpora/handbook/docs/ops/vacuum+guide.md", size: 55, sequencer: "0A" },
        reason: "PutObject",
      },
    };
    await handler(created);
    const search = (filter?: object) =>
      index.search({
        corpus: "handbook",
        query: "dead tuples",
        vector: Float32Array.from([1, 0, 0, 0]),
        k: 5,
        mode: "hybrid",
        ...(filter ? { filter } : {}),
      });
    const hits = await search({ tenant: "acme", metadata: { team: "ops" }, sourcePathPrefix: "ops/" });
    expect(hits.map((h) => [h.passage.sourcePath, h.passage.metadata])).toEqual([
      ["ops/vacuum guide.md", { team: "ops" }],
    ]);
    expect(await index.counts("r1-index")).toEqual({ passages: 1, untrained: 1 });

    // A delete marker in the versioned bucket: the object is hidden, its document goes.
    await blobs.delete(key);
    const deleted = {
      ...created,
      id: "e2",
      "detail-type": "Object Deleted",
      detail: {
        ...created.detail,
        object: { key: "corpora/handbook/docs/ops/vacuum+guide.md", sequencer: "0B" },
        reason: "DeleteObject",
        "deletion-type": "Delete Marker Created",
      },
    };
    await handler(deleted);
    expect(await search()).toEqual([]);
    expect(await repo.getDocument("handbook", "ops/vacuum guide.md")).toBeNull();
    expect(published.filter((e) => e.type === "document.deleted").map((e) => e.detail)).toEqual([
      { path: "ops/vacuum guide.md" },
    ]);

    const retired: string[] = [];
    await deleteCorpus(
      {
        repo,
        blobs,
        index,
        clock: systemClock,
        logger: silentLogger,
        deployer: { retire: async (id) => void retired.push(id) },
      },
      { corpus: "handbook", tenant: "acme" },
    );
    expect(os.state().aliases["life-serving-handbook"]).toBeUndefined();
    expect(os.state().indices.filter((i) => i.startsWith("life-"))).toEqual([]);
    expect(await repo.getCorpus("handbook")).toBeNull();
    expect(await blobs.list("corpora/handbook/")).toEqual([]);
  });
});
