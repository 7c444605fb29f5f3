import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { ConcurrentUpdateError, Corpus, DocumentRecord, IndexVersion, ModelVersion, Run, type PipelineRepository } from "@genq/core";
import type { z } from "zod";

/**
 * Single-table design (table `genq`, keys `pk`/`sk`, one GSI `gsi1` on `gsi1pk`/`gsi1sk`):
 *
 * | item            | pk                 | sk               | gsi1pk                 | gsi1sk                   |
 * |-----------------|--------------------|------------------|------------------------|--------------------------|
 * | corpus          | CORPUS#<name>      | CORPUS           | TENANT#<tenant>        | CORPUS#<name>            |
 * | document        | CORPUS#<name>      | DOC#<path>       | —                      | —                        |
 * | run             | RUN#<id>           | RUN              | CORPUS#<name>#RUNS     | <createdAt>#<id>         |
 * | model version   | MODEL#<id>         | MODEL            | —                      | —                        |
 * | index version   | INDEX#<id>         | INDEX            | CORPUS#<name>#INDEXES  | <createdAt>#<id>         |
 *
 * Access patterns: get corpus / run / model / index by key; documents of a corpus (Query pk, sk begins
 * with DOC#); corpora of a tenant, runs and index versions of a corpus (Query gsi1). Compare-and-set is
 * a ConditionExpression on `version` (or `attribute_not_exists(pk)` on create);
 * ConditionalCheckFailedException becomes ConcurrentUpdateError.
 */
export function createDynamoDbPipelineRepository(doc: DynamoDBDocumentClient, table: string): PipelineRepository {
  const get = async <T>(schema: z.ZodType<T>, pk: string, sk: string): Promise<T | null> => {
    const out = await doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item ? schema.parse(out.Item.body) : null;
  };
  const query = async <T>(schema: z.ZodType<T>, input: { index?: string; key: string; value: string; skPrefix?: string }): Promise<T[]> => {
    const out: T[] = [];
    let start: Record<string, unknown> | undefined;
    const keyName = input.index ? "gsi1pk" : "pk";
    do {
      const page = await doc.send(new QueryCommand({
        TableName: table,
        IndexName: input.index,
        KeyConditionExpression: input.skPrefix ? `${keyName} = :k AND begins_with(sk, :p)` : `${keyName} = :k`,
        ExpressionAttributeValues: { ":k": input.value, ...(input.skPrefix ? { ":p": input.skPrefix } : {}) },
        ExclusiveStartKey: start,
        ConsistentRead: input.index ? undefined : true,
      }));
      for (const item of page.Items ?? []) out.push(schema.parse(item.body));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  };
  const cas = async <T extends { version: number }>(key: { pk: string; sk: string }, extra: Record<string, string>, record: T, expected: number | null): Promise<T> => {
    const next = { ...record, version: expected === null ? 0 : expected + 1 };
    try {
      await doc.send(new PutCommand({
        TableName: table,
        Item: { ...key, ...extra, version: next.version, body: next },
        ...(expected === null
          ? { ConditionExpression: "attribute_not_exists(pk)" }
          : { ConditionExpression: "#v = :expected", ExpressionAttributeNames: { "#v": "version" }, ExpressionAttributeValues: { ":expected": expected } }),
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === "ConditionalCheckFailedException") {
        throw new ConcurrentUpdateError(expected === null ? `${key.pk} already exists` : `${key.pk} ${key.sk} changed since version ${expected}`, { cause: error });
      }
      throw error;
    }
    return next;
  };
  const put = async (item: Record<string, unknown>) => {
    await doc.send(new PutCommand({ TableName: table, Item: item }));
  };

  return {
    getCorpus: (name) => get(Corpus, `CORPUS#${name}`, "CORPUS"),
    async listCorpora(tenant) {
      if (tenant !== undefined) return query(Corpus, { index: "gsi1", key: "gsi1pk", value: `TENANT#${tenant}` });
      const out: Corpus[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: table, FilterExpression: "sk = :s", ExpressionAttributeValues: { ":s": "CORPUS" }, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) out.push(Corpus.parse(item.body));
        start = page.LastEvaluatedKey;
      } while (start);
      return out.sort((a, b) => a.name.localeCompare(b.name));
    },
    putCorpus: (c, expected) => cas({ pk: `CORPUS#${c.name}`, sk: "CORPUS" }, { gsi1pk: `TENANT#${c.tenant}`, gsi1sk: `CORPUS#${c.name}` }, c, expected),
    getDocument: (corpus, path) => get(DocumentRecord, `CORPUS#${corpus}`, `DOC#${path}`),
    listDocuments: (corpus) => query(DocumentRecord, { key: "pk", value: `CORPUS#${corpus}`, skPrefix: "DOC#" }),
    putDocument: (d, expected) => cas({ pk: `CORPUS#${d.corpus}`, sk: `DOC#${d.path}` }, {}, d, expected),
    getRun: (id) => get(Run, `RUN#${id}`, "RUN"),
    listRuns: (corpus) => query(Run, { index: "gsi1", key: "gsi1pk", value: `CORPUS#${corpus}#RUNS` }),
    putRun: (r, expected) => cas({ pk: `RUN#${r.id}`, sk: "RUN" }, { gsi1pk: `CORPUS#${r.corpus}#RUNS`, gsi1sk: `${r.createdAt}#${r.id}` }, r, expected),
    putModelVersion: (m) => put({ pk: `MODEL#${m.id}`, sk: "MODEL", body: m }),
    getModelVersion: (id) => get(ModelVersion, `MODEL#${id}`, "MODEL"),
    putIndexVersion: (i) => put({ pk: `INDEX#${i.id}`, sk: "INDEX", gsi1pk: `CORPUS#${i.corpus}#INDEXES`, gsi1sk: `${i.createdAt}#${i.id}`, body: i }),
    getIndexVersion: (id) => get(IndexVersion, `INDEX#${id}`, "INDEX"),
    listIndexVersions: (corpus) => query(IndexVersion, { index: "gsi1", key: "gsi1pk", value: `CORPUS#${corpus}#INDEXES` }),
  };
}

/** The table definition the repository expects (used by tests and mirrored by infra). */
export const PIPELINE_TABLE_DEFINITION = {
  AttributeDefinitions: [
    { AttributeName: "pk", AttributeType: "S" as const },
    { AttributeName: "sk", AttributeType: "S" as const },
    { AttributeName: "gsi1pk", AttributeType: "S" as const },
    { AttributeName: "gsi1sk", AttributeType: "S" as const },
  ],
  KeySchema: [
    { AttributeName: "pk", KeyType: "HASH" as const },
    { AttributeName: "sk", KeyType: "RANGE" as const },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: "gsi1",
      KeySchema: [
        { AttributeName: "gsi1pk", KeyType: "HASH" as const },
        { AttributeName: "gsi1sk", KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    },
  ],
  BillingMode: "PAY_PER_REQUEST" as const,
};
