import { createHash, randomBytes } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ApiKeyInfo, ApiKeyStore } from "@genq/core";

const hash = (key: string) => createHash("sha256").update(key).digest("hex");
const ID_LENGTH = 12;

/**
 * API keys mapped to tenants in the pipeline table: an item `APIKEY#<sha256>` per key (the key itself is
 * never stored), listed per tenant through gsi1 (`APIKEYS#<tenant>`, ordered by creation time). Lookups
 * are strongly consistent reads, so a revoked key is refused from the next request on (an eventually
 * consistent GetItem may return the item for a while after it was deleted: DynamoDB developer guide,
 * "Read consistency").
 */
export function createDynamoDbApiKeys(doc: DynamoDBDocumentClient, table: string): ApiKeyStore & { hashOf(key: string): string } {
  const item = (key: string, tenant: string, createdAt: string) => ({
    pk: `APIKEY#${hash(key)}`, sk: "APIKEY", tenant, createdAt, gsi1pk: `APIKEYS#${tenant}`, gsi1sk: `${createdAt}#${hash(key)}`,
  });
  const info = (i: Record<string, unknown>): ApiKeyInfo => ({ id: String(i.pk).slice("APIKEY#".length, "APIKEY#".length + ID_LENGTH), tenant: String(i.tenant), createdAt: String(i.createdAt ?? "") });
  const listOf = async (tenant: string) => {
    const out: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new QueryCommand({ TableName: table, IndexName: "gsi1", KeyConditionExpression: "gsi1pk = :k", ExpressionAttributeValues: { ":k": `APIKEYS#${tenant}` }, ExclusiveStartKey: start }));
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  };
  const store: ApiKeyStore & { hashOf(key: string): string } = {
    hashOf: hash,
    async create(tenant) {
      const key = `gq_${randomBytes(24).toString("base64url")}`;
      return { key, info: await store.register(key, tenant) };
    },
    async register(key, tenant) {
      const created = item(key, tenant, new Date().toISOString());
      await doc.send(new PutCommand({ TableName: table, Item: created }));
      return info(created);
    },
    async tenantOf(key) {
      const out = await doc.send(new GetCommand({ TableName: table, Key: { pk: `APIKEY#${hash(key)}`, sk: "APIKEY" }, ConsistentRead: true }));
      return (out.Item?.tenant as string | undefined) ?? null;
    },
    async list(tenant) {
      if (tenant === undefined) throw new Error("listing API keys on AWS needs a tenant");
      return (await listOf(tenant)).map(info);
    },
    async revoke(id, tenant) {
      if (tenant === undefined || !/^[0-9a-f]{12}$/.test(id)) return false;
      const match = (await listOf(tenant)).filter((i) => info(i).id === id);
      if (match.length !== 1) return false;
      await doc.send(new DeleteCommand({ TableName: table, Key: { pk: match[0]!.pk, sk: "APIKEY" } }));
      return true;
    },
  };
  return store;
}
