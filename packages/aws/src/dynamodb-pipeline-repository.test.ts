import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { ConcurrentUpdateError, type Run } from "@genq/core";
import { createDynamoDbPipelineRepository } from "./dynamodb-pipeline-repository.ts";

const run: Run = {
  id: "r1",
  corpus: "docs",
  tenant: "t",
  state: "ingesting",
  reason: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  artifacts: {},
  history: [],
  outcomePublished: false,
  version: 0,
};

describe("DynamoDB pipeline repository: reads that decide", () => {
  // A global secondary index serves eventually consistent reads only; ConsistentRead on one is a
  // ValidationException (DynamoDB API reference, Query: ConsistentRead). Starting a run and completing
  // ingestion decide on the corpus's runs and documents, so both come from the table's own partition.
  it("lists runs and documents from the corpus partition with strongly consistent reads", async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    mock
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ body: run }] })
      .resolves({ Items: [] });
    const repo = createDynamoDbPipelineRepository(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" })),
      "genq",
    );
    expect(await repo.listRuns("docs")).toEqual([run]);
    await repo.listDocuments("docs");
    const [runs, docs] = mock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(runs).toMatchObject({
      TableName: "genq",
      ConsistentRead: true,
      KeyConditionExpression: "pk = :k AND begins_with(sk, :p)",
      ExpressionAttributeValues: { ":k": "CORPUS#docs", ":p": "RUN#" },
    });
    expect(runs!.IndexName).toBeUndefined();
    expect(docs).toMatchObject({
      ConsistentRead: true,
      ExpressionAttributeValues: { ":k": "CORPUS#docs", ":p": "DOC#" },
    });
    expect(docs!.IndexName).toBeUndefined();
  });

  // TransactWriteItems cancels the whole transaction and names each item's reason
  // (DynamoDB API reference, TransactWriteItems: TransactionCanceledException.CancellationReasons).
  it("writes a run by id and in its corpus's partition in one transaction, compare-and-set on the first", async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    mock
      .on(TransactWriteCommand)
      .resolvesOnce({})
      .rejects(
        new TransactionCanceledException({
          message: "Transaction cancelled",
          $metadata: {},
          CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }],
        }),
      );
    const repo = createDynamoDbPipelineRepository(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" })),
      "genq",
    );
    await repo.putRun(run, null);
    const items = mock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((i) => [i.Put!.Item!.pk, i.Put!.Item!.sk, i.Put!.ConditionExpression])).toEqual([
      ["RUN#r1", "RUN", "attribute_not_exists(pk)"],
      ["CORPUS#docs", "RUN#2026-01-01T00:00:00.000Z#r1", undefined],
    ]);
    await expect(repo.putRun({ ...run, state: "generating" }, 0)).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });
});
