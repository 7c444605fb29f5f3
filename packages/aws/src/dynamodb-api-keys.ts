import { createHash } from "node:crypto";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

const hash = (key: string) => createHash("sha256").update(key).digest("hex");

/** API keys mapped to tenants in the pipeline table (item `APIKEY#<sha256>`); keys themselves are never stored. */
export function createDynamoDbApiKeys(doc: DynamoDBDocumentClient, table: string) {
  return {
    async tenantOf(key: string): Promise<string | null> {
      const out = await doc.send(new GetCommand({ TableName: table, Key: { pk: `APIKEY#${hash(key)}`, sk: "APIKEY" } }));
      return (out.Item?.tenant as string | undefined) ?? null;
    },
    async register(key: string, tenant: string): Promise<void> {
      await doc.send(new PutCommand({ TableName: table, Item: { pk: `APIKEY#${hash(key)}`, sk: "APIKEY", tenant, createdAt: new Date().toISOString() } }));
    },
  };
}
