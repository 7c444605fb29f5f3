import { join } from "node:path";
import { chunkDocument, systemClock, type EventHandler, type GenqEvent } from "@genq/core";
import { createFolderBlobStore, createSqliteOutbox, createSqlitePipelineRepository, openDatabase } from "@genq/local";
import { parseDocument } from "@genq/parsing";
import type { LocalConfig } from "./config.ts";
import { createJsonLogger } from "./json-logger.ts";

/**
 * The local composition root: one data folder holding the bucket (`bucket/`) and the SQLite database
 * (state, outbox). Everything the CLI commands need is built here and nowhere else.
 */
export function createLocalDeps(config: LocalConfig) {
  const db = openDatabase(join(config.dataDir, "genq.db"));
  const logger = createJsonLogger(config.logLevel);
  const clock = systemClock;
  const blobs = createFolderBlobStore(join(config.dataDir, "bucket"));
  const repo = createSqlitePipelineRepository(db);
  const outbox = createSqliteOutbox(db, { logger, clock });
  const chunkDeps = {
    blobs,
    repo,
    events: outbox,
    parse: parseDocument,
    clock,
    logger,
    maxDocumentBytes: Math.round(config.maxDocumentMb * 1024 * 1024),
    chunking: { targetWords: config.chunkWords, maxWords: Math.max(config.chunkWords, Math.round(config.chunkWords * 1.5)), overlapSentences: config.chunkOverlapSentences },
    defaultTenant: config.tenant,
  };

  /** Routes each event to the use case that handles it; events nobody handles are simply delivered. */
  const handle: EventHandler = async (event: GenqEvent) => {
    switch (event.type) {
      case "document.uploaded":
        await chunkDocument(chunkDeps, event);
        return;
      default:
        return;
    }
  };

  return { config, db, logger, clock, blobs, repo, outbox, chunkDeps, handle, close: () => db.close() };
}

export type LocalDeps = ReturnType<typeof createLocalDeps>;
