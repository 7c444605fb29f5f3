import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type BatchWriteCommandInput,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import {
  ConcurrentUpdateError,
  Corpus,
  DocumentRecord,
  IndexVersion,
  ModelVersion,
  Run,
  decodeCursor,
  documentContribution,
  encodeCursor,
  pageLimit,
  runResources,
  type DocumentStats,
  type PageRequest,
  type PipelineRepository,
} from "@genq/core";
import type { z } from "zod";

/**
 * Single-table design (table `genq`, keys `pk`/`sk`, one GSI `gsi1` on `gsi1pk`/`gsi1sk`):
 *
 * | item            | pk                 | sk               | gsi1pk                 | gsi1sk                   |
 * |-----------------|--------------------|------------------|------------------------|--------------------------|
 * | corpus          | CORPUS#<name>      | CORPUS           | TENANT#<tenant>        | CORPUS#<name>            |
 * | document        | CORPUS#<name>      | DOC#<path>       | —                      | —                        |
 * | document counts | CORPUS#<name>      | STATS            | —                      | —                        |
 * | run             | RUN#<id>           | RUN              | —                      | —                        |
 * | run (listing)   | CORPUS#<name>      | RUN#<createdAt>#<id> | —                  | —                        |
 * | model version   | MODEL#<id>         | MODEL            | —                      | —                        |
 * | index version   | INDEX#<id>         | INDEX            | CORPUS#<name>#INDEXES  | <createdAt>#<id>         |
 *
 * Access patterns: get corpus / run / model / index by key; documents and runs of a corpus (Query pk,
 * sk begins with DOC# / RUN#, strongly consistent); corpora of a tenant and index versions of a corpus
 * (Query gsi1). Starting a run and completing ingestion decide on the runs and documents of a corpus, so
 * those are read from the table's own partition: a global secondary index serves eventually consistent
 * reads only (DynamoDB API reference, Query: ConsistentRead), and a run read from one could stall in
 * `ingesting` or let a second run start. A run is therefore written twice in one transaction — by id,
 * and as a listing item in its corpus's partition — with the compare-and-set on the item by id.
 * Compare-and-set is a ConditionExpression on `version` (or `attribute_not_exists(pk)` on create); a
 * failed condition or a conflicting transaction becomes ConcurrentUpdateError. A document is written
 * (or deleted) in one transaction with an ADD to its corpus's counts item, by the difference between the
 * record it replaces — read first, and guaranteed to be the one replaced by the version condition — and
 * the new one, so the counts stay exact without listing documents.
 */
export function createDynamoDbPipelineRepository(doc: DynamoDBDocumentClient, table: string): PipelineRepository {
  const get = async <T>(schema: z.ZodType<T>, pk: string, sk: string): Promise<T | null> => {
    const out = await doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item ? schema.parse(out.Item.body) : null;
  };
  const query = async <T>(
    schema: z.ZodType<T>,
    input: { index?: string; key: string; value: string; skPrefix?: string },
  ): Promise<T[]> => {
    const out: T[] = [];
    let start: Record<string, unknown> | undefined;
    const keyName = input.index ? "gsi1pk" : "pk";
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: input.index,
          KeyConditionExpression: input.skPrefix ? `${keyName} = :k AND begins_with(sk, :p)` : `${keyName} = :k`,
          ExpressionAttributeValues: { ":k": input.value, ...(input.skPrefix ? { ":p": input.skPrefix } : {}) },
          ExclusiveStartKey: start,
          ConsistentRead: input.index ? undefined : true,
        }),
      );
      for (const item of page.Items ?? []) out.push(schema.parse(item.body));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  };
  const condition = (expected: number | null) =>
    expected === null
      ? { ConditionExpression: "attribute_not_exists(pk)" }
      : {
          ConditionExpression: "#v = :expected",
          ExpressionAttributeNames: { "#v": "version" },
          ExpressionAttributeValues: { ":expected": expected },
        };
  const lostRace = (error: unknown) => {
    const e = error as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
    if (error instanceof ConditionalCheckFailedException || e.name === "ConditionalCheckFailedException") return true;
    return (
      e.name === "TransactionCanceledException" &&
      (e.CancellationReasons ?? []).some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict")
    );
  };
  /** Compare-and-set `record` at `key`; `copies` are written in the same transaction (unconditionally). */
  const cas = async <T extends { version: number }>(
    key: { pk: string; sk: string },
    extra: Record<string, string>,
    record: T,
    expected: number | null,
    copies: Array<{ pk: string; sk: string }> = [],
  ): Promise<T> => {
    const next = { ...record, version: expected === null ? 0 : expected + 1 };
    const item = { ...key, ...extra, version: next.version, body: next };
    try {
      if (!copies.length) await doc.send(new PutCommand({ TableName: table, Item: item, ...condition(expected) }));
      else {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: item, ...condition(expected) } },
              ...copies.map((copy) => ({
                Put: { TableName: table, Item: { ...copy, version: next.version, body: next } },
              })),
            ],
          }),
        );
      }
    } catch (error) {
      if (lostRace(error))
        throw new ConcurrentUpdateError(
          expected === null ? `${key.pk} already exists` : `${key.pk} ${key.sk} changed since version ${expected}`,
          { cause: error },
        );
      throw error;
    }
    return next;
  };
  const put = async (item: Record<string, unknown>) => {
    await doc.send(new PutCommand({ TableName: table, Item: item }));
  };
  const after = (page: PageRequest) =>
    page.cursor === undefined
      ? null
      : decodeCursor(page.cursor, (p): p is { after: string } => typeof (p as { after?: unknown })?.after === "string")
          .after;
  /**
   * One page of a partition's items under a sort-key prefix, read strongly consistent. A Query's Limit
   * counts items read, and one response stops at 1 MB (DynamoDB API reference, Query), so it reads on
   * until it holds one item more than the page, which tells whether another page follows.
   */
  const pageOf = async <T>(
    schema: z.ZodType<T>,
    pk: string,
    prefix: string,
    page: PageRequest,
    newestFirst: boolean,
    status?: string,
  ): Promise<{ items: T[]; sks: string[]; more: boolean }> => {
    const limit = pageLimit(page);
    const from = after(page);
    const items: T[] = [];
    const sks: string[] = [];
    let start: Record<string, unknown> | undefined = from === null ? undefined : { pk, sk: `${prefix}${from}` };
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "pk = :k AND begins_with(sk, :p)",
          ExpressionAttributeValues: { ":k": pk, ":p": prefix, ...(status ? { ":s": status } : {}) },
          // A filter applies after Limit items are read, so a filtered page may come back short: read on.
          ...(status
            ? { FilterExpression: "body.#status = :s", ExpressionAttributeNames: { "#status": "status" } }
            : {}),
          ExclusiveStartKey: start,
          Limit: limit + 1 - items.length,
          ScanIndexForward: !newestFirst,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) {
        items.push(schema.parse(item.body));
        sks.push(String(item.sk).slice(prefix.length));
      }
      start = out.LastEvaluatedKey;
    } while (start && items.length <= limit);
    return { items: items.slice(0, limit), sks: sks.slice(0, limit), more: items.length > limit };
  };
  /** Write or delete a document together with the ADD that moves its corpus's counts by the difference. */
  const documentTransaction = async (
    corpus: string,
    write: Record<string, unknown>,
    before: DocumentRecord | null,
    after: DocumentRecord | null,
    expected: number | null,
  ) => {
    const a = documentContribution(after);
    const b = documentContribution(before);
    const fields = Object.keys(a) as Array<keyof DocumentStats>;
    const update = {
      Update: {
        TableName: table,
        Key: { pk: `CORPUS#${corpus}`, sk: "STATS" },
        UpdateExpression: `ADD ${fields.map((f) => `#${f} :${f}`).join(", ")}`,
        ExpressionAttributeNames: Object.fromEntries(fields.map((f) => [`#${f}`, f])),
        ExpressionAttributeValues: Object.fromEntries(fields.map((f) => [`:${f}`, a[f] - b[f]])),
      },
    };
    try {
      await doc.send(
        new TransactWriteCommand({ TransactItems: [write, update] as TransactWriteCommandInput["TransactItems"] }),
      );
    } catch (error) {
      if (lostRace(error))
        throw new ConcurrentUpdateError(`document of corpus "${corpus}" changed since version ${expected}`, {
          cause: error,
        });
      throw error;
    }
  };
  /** Delete items by key, 25 per BatchWriteItem, sending again what DynamoDB left unprocessed. */
  const deleteKeys = async (keysToDelete: Array<{ pk: string; sk: string }>) => {
    for (let i = 0; i < keysToDelete.length; i += 25) {
      let requests: Record<string, unknown[]> | undefined = {
        [table]: keysToDelete.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })),
      };
      for (let attempt = 0; requests && Object.keys(requests).length; attempt++) {
        if (attempt > 8) throw new Error("DynamoDB kept leaving deletions unprocessed");
        if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const out = await doc.send(
          new BatchWriteCommand({ RequestItems: requests as BatchWriteCommandInput["RequestItems"] }),
        );
        requests = out.UnprocessedItems as Record<string, unknown[]> | undefined;
      }
    }
  };

  return {
    getCorpus: (name) => get(Corpus, `CORPUS#${name}`, "CORPUS"),
    async listCorpora(tenant) {
      if (tenant !== undefined) return query(Corpus, { index: "gsi1", key: "gsi1pk", value: `TENANT#${tenant}` });
      const out: Corpus[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({
            TableName: table,
            FilterExpression: "sk = :s",
            ExpressionAttributeValues: { ":s": "CORPUS" },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) out.push(Corpus.parse(item.body));
        start = page.LastEvaluatedKey;
      } while (start);
      return out.sort((a, b) => a.name.localeCompare(b.name));
    },
    putCorpus: (c, expected) =>
      cas(
        { pk: `CORPUS#${c.name}`, sk: "CORPUS" },
        { gsi1pk: `TENANT#${c.tenant}`, gsi1sk: `CORPUS#${c.name}` },
        c,
        expected,
      ),
    async deleteCorpus(name) {
      // The corpus's partition holds the corpus, its documents and its runs' listing items; runs, their
      // models and the index versions live under their own keys.
      const partition: Array<{ pk: string; sk: string }> = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: "pk = :k",
            ExpressionAttributeValues: { ":k": `CORPUS#${name}` },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        );
        for (const item of out.Items ?? []) partition.push({ pk: String(item.pk), sk: String(item.sk) });
        start = out.LastEvaluatedKey;
      } while (start);
      const runIds = partition
        .filter((k) => k.sk.startsWith("RUN#"))
        .map((k) => k.sk.slice(k.sk.indexOf("#", "RUN#".length + 1) + 1));
      const indexes = await query(IndexVersion, { index: "gsi1", key: "gsi1pk", value: `CORPUS#${name}#INDEXES` });
      await deleteKeys([
        ...runIds.flatMap((id) => [
          { pk: `RUN#${id}`, sk: "RUN" },
          { pk: `MODEL#${runResources.modelId(id)}`, sk: "MODEL" },
        ]),
        ...indexes.map((i) => ({ pk: `INDEX#${i.id}`, sk: "INDEX" })),
        ...partition.filter((k) => k.sk !== "CORPUS"),
      ]);
      // The corpus item goes last: a deletion cut short is finished by deleting the corpus again.
      await deleteKeys(partition.filter((k) => k.sk === "CORPUS"));
    },
    getDocument: (corpus, path) => get(DocumentRecord, `CORPUS#${corpus}`, `DOC#${path}`),
    listDocuments: (corpus) => query(DocumentRecord, { key: "pk", value: `CORPUS#${corpus}`, skPrefix: "DOC#" }),
    putDocument: async (d, expected) => {
      const old = expected === null ? null : await get(DocumentRecord, `CORPUS#${d.corpus}`, `DOC#${d.path}`);
      const next = { ...d, version: expected === null ? 0 : expected + 1 };
      await documentTransaction(
        d.corpus,
        {
          Put: {
            TableName: table,
            Item: { pk: `CORPUS#${d.corpus}`, sk: `DOC#${d.path}`, version: next.version, body: next },
            ...condition(expected),
          },
        },
        old,
        next,
        expected,
      );
      return next;
    },
    async documentStats(corpus) {
      const out = await doc.send(
        new GetCommand({ TableName: table, Key: { pk: `CORPUS#${corpus}`, sk: "STATS" }, ConsistentRead: true }),
      );
      const item = out.Item ?? {};
      return {
        files: Number(item.files ?? 0),
        chunkedFiles: Number(item.chunkedFiles ?? 0),
        rejectedFiles: Number(item.rejectedFiles ?? 0),
        documents: Number(item.documents ?? 0),
        passages: Number(item.passages ?? 0),
      };
    },
    async listDocumentsPage(corpus, page) {
      const { items, more } = await pageOf(DocumentRecord, `CORPUS#${corpus}`, "DOC#", page, false, page.status);
      return { items, next: more ? encodeCursor({ after: items[items.length - 1]!.path }) : null };
    },
    async deleteDocument(corpus, path, expected) {
      const old = await get(DocumentRecord, `CORPUS#${corpus}`, `DOC#${path}`);
      if (!old || old.version !== expected)
        throw new ConcurrentUpdateError(`document "${corpus}/${path}" changed since version ${expected} (or is gone)`);
      const del = {
        Delete: {
          TableName: table,
          Key: { pk: `CORPUS#${corpus}`, sk: `DOC#${path}` },
          ConditionExpression: "#v = :expected",
          ExpressionAttributeNames: { "#v": "version" },
          ExpressionAttributeValues: { ":expected": expected },
        },
      };
      await documentTransaction(corpus, del, old, null, expected);
    },
    getRun: (id) => get(Run, `RUN#${id}`, "RUN"),
    // The listing items sort by creation time, then id: the order runs were started in.
    listRuns: (corpus) => query(Run, { key: "pk", value: `CORPUS#${corpus}`, skPrefix: "RUN#" }),
    async listRunsPage(corpus, page) {
      const { items, sks, more } = await pageOf(Run, `CORPUS#${corpus}`, "RUN#", page, true);
      return { items, next: more ? encodeCursor({ after: sks[sks.length - 1]! }) : null };
    },
    putRun: (r, expected) =>
      cas({ pk: `RUN#${r.id}`, sk: "RUN" }, {}, r, expected, [
        { pk: `CORPUS#${r.corpus}`, sk: `RUN#${r.createdAt}#${r.id}` },
      ]),
    putModelVersion: (m) => put({ pk: `MODEL#${m.id}`, sk: "MODEL", body: m }),
    getModelVersion: (id) => get(ModelVersion, `MODEL#${id}`, "MODEL"),
    putIndexVersion: (i) =>
      put({
        pk: `INDEX#${i.id}`,
        sk: "INDEX",
        gsi1pk: `CORPUS#${i.corpus}#INDEXES`,
        gsi1sk: `${i.createdAt}#${i.id}`,
        body: i,
      }),
    getIndexVersion: (id) => get(IndexVersion, `INDEX#${id}`, "INDEX"),
    listIndexVersions: (corpus) =>
      query(IndexVersion, { index: "gsi1", key: "gsi1pk", value: `CORPUS#${corpus}#INDEXES` }),
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
