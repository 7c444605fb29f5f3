export * from "./s3-blob-store.ts";
export * from "./dynamodb-pipeline-repository.ts";
