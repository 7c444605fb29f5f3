import { S3Client } from "@aws-sdk/client-s3";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll } from "vitest";
import type { BlobStore } from "@genq/core";
import { PIPELINE_TABLE_DEFINITION, createDynamoDbApiKeys, createDynamoDbPipelineRepository, createS3BlobStore } from "@genq/aws";
import { apiKeysContract } from "./api-keys.contract.ts";
import { blobStoreContract } from "./blob-store.contract.ts";
import { pipelineRepositoryContract } from "./pipeline-repository.contract.ts";
import { startDynamoDbLocal, startS3rver, type Emulator } from "./emulators.ts";

const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
let s3: Emulator;
let dynamo: Emulator;
let counter = 0;

beforeAll(async () => {
  [s3, dynamo] = await Promise.all([startS3rver("genq-test"), startDynamoDbLocal()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([s3?.stop(), dynamo?.stop()]);
});

blobStoreContract("S3 (s3rver)", async () => {
  const client = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials, requestChecksumCalculation: "WHEN_REQUIRED" });
  // A fresh prefix per test stands in for a fresh bucket: the store sees only its own keys.
  return prefixed(createS3BlobStore(client, "genq-test"), `t${++counter}/`);
});

pipelineRepositoryContract("DynamoDB (DynamoDB Local)", async () => {
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  const table = `genq-${++counter}`;
  await client.send(new CreateTableCommand({ TableName: table, ...PIPELINE_TABLE_DEFINITION }));
  return createDynamoDbPipelineRepository(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), table);
});

apiKeysContract("DynamoDB (DynamoDB Local)", async () => {
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  const table = `genq-${++counter}`;
  await client.send(new CreateTableCommand({ TableName: table, ...PIPELINE_TABLE_DEFINITION }));
  return createDynamoDbApiKeys(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), table);
});

function prefixed(store: BlobStore, prefix: string): BlobStore {
  const strip = <T extends { key: string }>(b: T) => ({ ...b, key: b.key.slice(prefix.length) });
  return {
    put: (k, b) => store.put(prefix + k, b),
    putStream: (k, b) => store.putStream(prefix + k, b),
    get: (k) => store.get(prefix + k),
    getStream: (k) => store.getStream(prefix + k),
    head: async (k) => {
      const h = await store.head(prefix + k);
      return h ? strip(h) : null;
    },
    list: async (p) => (await store.list(prefix + p)).map(strip),
    delete: (k) => store.delete(prefix + k),
  };
}
