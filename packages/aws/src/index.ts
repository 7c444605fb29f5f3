export * from "./s3-blob-store.ts";
export * from "./dynamodb-pipeline-repository.ts";
export * from "./eventbridge-publisher.ts";
export * from "./sagemaker-jobs.ts";
export * from "./sagemaker-events.ts";
export * from "./sagemaker-endpoints.ts";
export * from "./transform-output.ts";
export * from "./opensearch-search-index.ts";
