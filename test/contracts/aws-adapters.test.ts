import { S3Client } from "@aws-sdk/client-s3";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysCommand } from "../../packages/functions/src/keys-command.ts";
import type { BlobStore } from "@genq/core";
import {
  PIPELINE_TABLE_DEFINITION,
  createDynamoDbApiKeys,
  createDynamoDbPipelineRepository,
  createOpenSearchClient,
  createOpenSearchSearchIndex,
  createS3BlobStore,
} from "@genq/aws";
import { startOpenSearchStandIn, type OpenSearchStandIn } from "../aws-sim/opensearch-standin.ts";
import { searchIndexContract } from "./search-index.contract.ts";
import { apiKeysContract } from "./api-keys.contract.ts";
import { blobStoreContract } from "./blob-store.contract.ts";
import { pipelineRepositoryContract } from "./pipeline-repository.contract.ts";
import { startDynamoDbLocal, startS3rver, type Emulator } from "./emulators.ts";

const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
let s3: Emulator;
let dynamo: Emulator;
let opensearch: OpenSearchStandIn;
let counter = 0;

beforeAll(async () => {
  [s3, dynamo, opensearch] = await Promise.all([
    startS3rver("genq-test"),
    startDynamoDbLocal(),
    startOpenSearchStandIn({ users: { genq: "Master-pass1" } }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([s3?.stop(), dynamo?.stop(), opensearch?.stop()]);
});

// The OpenSearch stand-in enforces the query DSL genq relies on: prefix (opensearch.org/docs/latest/query-dsl/term/prefix/),
// terms on a keyword array (…/query-dsl/term/terms/), delete by query with refresh (…/api-reference/document-apis/delete-by-query/),
// composite aggregations (…/aggregations/bucket/composite/) and an object kept in _source only (`enabled: false`,
// …/field-types/supported-field-types/object/). A fresh name prefix per test stands in for a fresh domain.
searchIndexContract("OpenSearch (stand-in)", async () =>
  createOpenSearchSearchIndex(
    createOpenSearchClient({ node: opensearch.url, region: "us-east-1", username: "genq", password: "Master-pass1" }),
    { prefix: `c${++counter}` },
  ),
);

blobStoreContract("S3 (s3rver)", async () => {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  // A fresh prefix per test stands in for a fresh bucket: the store sees only its own keys.
  return prefixed(createS3BlobStore(client, "genq-test"), `t${++counter}/`);
});

/** A fresh pipeline table in DynamoDB Local. */
async function freshTable() {
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const table = `genq-${++counter}`;
  await client.send(new CreateTableCommand({ TableName: table, ...PIPELINE_TABLE_DEFINITION }));
  return { doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), table };
}

pipelineRepositoryContract("DynamoDB (DynamoDB Local)", async () => {
  const { doc, table } = await freshTable();
  return createDynamoDbPipelineRepository(doc, table);
});

apiKeysContract("DynamoDB (DynamoDB Local)", async () => {
  const { doc, table } = await freshTable();
  return createDynamoDbApiKeys(doc, table);
});

describe("the AWS keys command (npm run keys:aws)", () => {
  it("creates, lists and revokes a tenant's keys in the stage's table", async () => {
    const { doc, table } = await freshTable();
    const store = createDynamoDbApiKeys(doc, table);
    const out: string[] = [];
    expect(await keysCommand(["create", "--tenant", "acme"], store, (l) => out.push(l))).toBe(0);
    const key = out[0]!;
    expect(await store.tenantOf(key)).toBe("acme");
    out.length = 0;
    await keysCommand(["list", "--tenant", "acme"], store, (l) => out.push(l));
    const id = out[0]!.split(" ")[0]!;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(await keysCommand(["revoke", id, "--tenant", "acme"], store, () => {})).toBe(0);
    expect(await store.tenantOf(key)).toBeNull();
    expect(await keysCommand(["revoke", id, "--tenant", "acme"], store, () => {})).toBe(1);
    expect(await keysCommand(["list"], store, () => {})).toBe(1);
  });
});

function prefixed(store: BlobStore, prefix: string): BlobStore {
  const strip = <T extends { key: string }>(b: T) => ({ ...b, key: b.key.slice(prefix.length) });
  return {
    put: (k, b, o) => store.put(prefix + k, b, o),
    putStream: (k, b) => store.putStream(prefix + k, b),
    get: (k) => store.get(prefix + k),
    getStream: (k) => store.getStream(prefix + k),
    head: async (k) => {
      const h = await store.head(prefix + k);
      return h ? strip(h) : null;
    },
    list: async (p) => (await store.list(prefix + p)).map(strip),
    delete: (k) => store.delete(prefix + k),
    deletePrefix: (p) => store.deletePrefix(prefix + p),
  };
}
