export * from "./config.ts";
export * from "./handler-deps.ts";
export * from "./s3-object-events.ts";
export * from "./sagemaker-state-change.ts";
export * from "./http-limits.ts";
