import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "@genq/core";
import { createFolderBlobStore, createSqliteApiKeys, createSqliteOutbox, createSqlitePipelineRepository, openDatabase } from "@genq/local";
import { apiKeysContract } from "./api-keys.contract.ts";
import { blobStoreContract } from "./blob-store.contract.ts";
import { eventBusContract, type EventBusUnderTest } from "./event-bus.contract.ts";
import { pipelineRepositoryContract } from "./pipeline-repository.contract.ts";

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

apiKeysContract("sqlite", async () => {
  const keys = createSqliteApiKeys(openDatabase(join(tmp(), "genq.db")));
  return {
    create: async (tenant) => {
      const key = keys.create(tenant);
      return { id: keys.idOf(key), key, createdAt: keys.list(tenant).find((k) => k.id === keys.idOf(key))!.createdAt };
    },
    register: async (key, tenant) => keys.register(key, tenant),
    tenantOf: async (key) => keys.tenantOf(key),
    list: async (tenant) => keys.list(tenant),
    revoke: async (tenant, id) => keys.revoke(tenant, id),
    idOf: keys.idOf,
  };
});
