import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotFoundError, type Clock } from "@genq/core";
import { describe, expect, it } from "vitest";
import {
  createFolderBlobStore,
  createSqliteApiKeys,
  createSqliteOutbox,
  createSqlitePipelineRepository,
  createSqliteSearchIndex,
  openDatabase,
} from "@genq/local";
import { blobStoreContract } from "./blob-store.contract.ts";
import { eventBusContract, type EventBusUnderTest } from "./event-bus.contract.ts";
import { pipelineRepositoryContract } from "./pipeline-repository.contract.ts";
import { searchIndexContract } from "./search-index.contract.ts";
import { apiKeysContract } from "./api-keys.contract.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "genq-contract-"));

blobStoreContract("folder", async () => createFolderBlobStore(tmp()));

// S3 holds keys of up to 1,024 bytes; a disk holds names of at most 255 bytes, so such a key is missing here
// (the filesystem-backed s3rver cannot answer for it, so this stays out of the shared contract).
describe("folder blob store: a name longer than a file name may be", () => {
  it("is a missing object: head null, get NotFoundError, delete a no-op", async () => {
    const store = createFolderBlobStore(tmp());
    const key = `corpora/a/docs/${"n".repeat(300)}.md`;
    expect(await store.head(key)).toBeNull();
    await expect(store.get(key)).rejects.toBeInstanceOf(NotFoundError);
    await store.delete(key);
  });
});
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
eventBusContract("sqlite outbox", async () =>
  sqliteBus(join(tmp(), "genq.db"), { t: Date.parse("2026-01-01T00:00:00Z") }),
);

searchIndexContract("sqlite", async () => createSqliteSearchIndex(openDatabase(join(tmp(), "genq.db"))));
apiKeysContract("sqlite", async () => createSqliteApiKeys(openDatabase(join(tmp(), "genq.db"))).store());
