export * from "./sqlite.ts";
export * from "./folder-blob-store.ts";
export * from "./sqlite-pipeline-repository.ts";
export * from "./sqlite-outbox.ts";
export * from "./sqlite-search-index.ts";
export * from "./memory-signals.ts";
export * from "./local-stages.ts";
export * from "./sqlite-api-keys.ts";
