import { createHash, randomBytes } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { ConflictError, type ApiKeyStore } from "@genq/core";

const hash = (key: string) => createHash("sha256").update(key).digest("hex");
const idOfHash = (h: string) => h.slice(0, 16);
const ID = /^[0-9a-f]{16}$/;
const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string }).name === "ConditionalCheckFailedException";

/**
 * API keys mapped to tenants in the pipeline table (item `APIKEY#<sha256>`); keys themselves are never
 * stored. Each key is also filed under its tenant in the table's `gsi1` (`APIKEYS#<tenant>`, sorted by
 * creation) so a tenant's keys can be listed and revoked by id (the first 16 hex digits of the hash).
 * Keys written by hand without that index entry still authenticate but are not listed. Lookups are
 * strongly consistent reads, so a revoked key is refused from the next request on (an eventually
 * consistent GetItem may return the item for a while after it was deleted: DynamoDB developer guide,
 * "Read consistency").
 */
export function createDynamoDbApiKeys(doc: DynamoDBDocumentClient, table: string): ApiKeyStore {
  /** Write a key's item unless one exists (a key never changes tenant); the existing item's tenant and date otherwise. */
  const put = async (key: string, tenant: string): Promise<{ tenant: string; createdAt: string; id: string }> => {
    const h = hash(key);
    const createdAt = new Date().toISOString();
    try {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `APIKEY#${h}`,
            sk: "APIKEY",
            tenant,
            createdAt,
            gsi1pk: `APIKEYS#${tenant}`,
            gsi1sk: `${createdAt}#${h}`,
          },
          // DynamoDB developer guide, "Condition expressions: Preventing overwrites of an existing item": the
          // put succeeds only if no item has this key, else ConditionalCheckFailedException.
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return { id: idOfHash(h), tenant, createdAt };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await itemOf(h);
      if (!existing) return put(key, tenant); // revoked in between: it is free again
      return { id: idOfHash(h), tenant: String(existing.tenant), createdAt: String(existing.createdAt) };
    }
  };
  const itemOf = async (h: string) =>
    (
      await doc.send(
        new GetCommand({ TableName: table, Key: { pk: `APIKEY#${h}`, sk: "APIKEY" }, ConsistentRead: true }),
      )
    ).Item;
  const hashes = async (tenant: string): Promise<Array<{ hash: string; createdAt: string }>> => {
    const out: Array<{ hash: string; createdAt: string }> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: "gsi1",
          KeyConditionExpression: "gsi1pk = :k",
          ExpressionAttributeValues: { ":k": `APIKEYS#${tenant}` },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? [])
        out.push({ hash: String(item.pk).slice("APIKEY#".length), createdAt: String(item.createdAt) });
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  };
  return {
    async tenantOf(key) {
      const out = await doc.send(
        new GetCommand({ TableName: table, Key: { pk: `APIKEY#${hash(key)}`, sk: "APIKEY" }, ConsistentRead: true }),
      );
      return (out.Item?.tenant as string | undefined) ?? null;
    },
    /** A key another tenant holds is refused (ConflictError): moving it would hand that tenant's clients this tenant's corpora. */
    async register(key, tenant) {
      const made = await put(key, tenant);
      if (made.tenant !== tenant)
        throw new ConflictError(
          `that API key belongs to tenant "${made.tenant}", not "${tenant}"; choose another key (a key never changes tenant)`,
        );
      return made;
    },
    async create(tenant) {
      const key = `gq_${randomBytes(24).toString("base64url")}`;
      return { ...(await put(key, tenant)), key };
    },
    /** A tenant's keys by id, oldest first (the index is eventually consistent: a key made a moment ago may be missing). */
    async list(tenant) {
      return (await hashes(tenant)).map((k) => ({ id: idOfHash(k.hash), tenant, createdAt: k.createdAt }));
    },
    /** Revoke a tenant's key by id: deleted only if it still belongs to that tenant. False when there is none. */
    async revoke(tenant, id) {
      if (!ID.test(id)) return false;
      const found = (await hashes(tenant)).filter((k) => idOfHash(k.hash) === id);
      if (found.length !== 1) return false;
      try {
        await doc.send(
          new DeleteCommand({
            TableName: table,
            Key: { pk: `APIKEY#${found[0]!.hash}`, sk: "APIKEY" },
            ConditionExpression: "tenant = :t",
            ExpressionAttributeValues: { ":t": tenant },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    idOf: (key) => idOfHash(hash(key)),
  };
}
