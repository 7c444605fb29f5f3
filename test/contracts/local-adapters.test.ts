import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "@genq/core";
import { createFolderBlobStore, createSqliteApiKeys, createSqliteOutbox, createSqlitePipelineRepository, createSqliteSearchIndex, openDatabase } from "@genq/local";
import { blobStoreContract } from "./blob-store.contract.ts";
import { eventBusContract, type EventBusUnderTest } from "./event-bus.contract.ts";
import { pipelineRepositoryContract } from "./pipeline-repository.contract.ts";
import { searchIndexContract } from "./search-index.contract.ts";
import { apiKeysContract } from "./api-keys.contract.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "genq-contract-"));

blobStoreContract("folder", async () => createFolderBlobStore(tmp()));
pipelineRepositoryContract("sqlite", async () => createSqlitePipelineRepository(openDatabase(join(tmp(), "genq.db"))));

function sqliteBus(path: string, clock: { t: number }): EventBusUnderTest {
  const clockPort: Clock = { now: () => new Date(clock.t) };
  const outbox = createSqliteOutbox(openDatabase(path), { clock: clockPort, maxAttempts: 4, baseDelayMs: 1000 });
  return {
    publisher: outbox,
    deliver: async (handler) => void (await outbox.drain(handler)),
    advance: (ms) => void (clock.t += ms),
    deadLetters: () => outbox.deadLetters(),
    restart: async () => sqliteBus(path, clock),
  };
}
eventBusContract("sqlite outbox", async () => sqliteBus(join(tmp(), "genq.db"), { t: Date.parse("2026-01-01T00:00:00Z") }));

searchIndexContract("sqlite", async () => createSqliteSearchIndex(openDatabase(join(tmp(), "genq.db"))));
apiKeysContract("sqlite", async () => createSqliteApiKeys(openDatabase(join(tmp(), "genq.db"))).store());
