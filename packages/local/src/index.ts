export * from "./sqlite.ts";
export * from "./folder-blob-store.ts";
export * from "./sqlite-pipeline-repository.ts";
export * from "./sqlite-outbox.ts";
