/** The single DynamoDB table (keys and access patterns: packages/aws/src/dynamodb-pipeline-repository.ts). */
export function state() {
  const table = new sst.aws.Dynamo("State", {
    fields: { pk: "string", sk: "string", gsi1pk: "string", gsi1sk: "string" },
    primaryIndex: { hashKey: "pk", rangeKey: "sk" },
    globalIndexes: { gsi1: { hashKey: "gsi1pk", rangeKey: "gsi1sk" } },
  });
  return { table };
}
