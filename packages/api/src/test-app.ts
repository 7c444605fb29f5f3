import { createHash } from "node:crypto";
import { silentLogger, systemClock, type Run } from "@genq/core";
import { memoryBlobStore, memoryBus, memoryRepository, scriptedSearchIndex } from "@genq/core/testing";
import { createApp } from "./app.ts";
import type { ApiDeps, FeedItem } from "./deps.ts";
import type { StreamTiming } from "./routes/events.ts";

/**
 * The HTTP app over in-memory ports, for the API's own tests: keys `k1` (tenant t1) and `k2` (tenant
 * t2), an event feed the test appends to, and key management held in a map.
 */
export function testApp(
  options: { corsOrigins?: string[]; streamTiming?: StreamTiming; withKeys?: boolean; metrics?: boolean } = {},
) {
  const repo = memoryRepository();
  const blobs = memoryBlobStore();
  const bus = memoryBus();
  const feed: FeedItem[] = [];
  const keys = new Map<string, { tenant: string; createdAt: string }>([
    ["k1", { tenant: "t1", createdAt: "2026-01-01T00:00:00Z" }],
    ["k2", { tenant: "t2", createdAt: "2026-01-02T00:00:00Z" }],
  ]);
  const idOf = (key: string) => createHash("sha256").update(key).digest("hex").slice(0, 16);
  let made = 0;
  const deps: ApiDeps = {
    repo,
    blobs,
    events: bus,
    clock: systemClock,
    logger: silentLogger,
    index: scriptedSearchIndex(() => []),
    encoderFor: async () => ({ dimensions: 1, encode: async (t) => t.map(() => Float32Array.from([1])) }),
    // Both abstain: these tests exercise routing and tenants, not answers.
    reader: {
      read: async () => ({ answers: [], noAnswer: true, bestGuess: null, metadata: { model: "none", latencyMs: 0 } }),
    },
    generator: {
      answer: async () => ({ answer: "", sentences: [], noAnswer: true, metadata: { model: "none", latencyMs: 0 } }),
    },
    authenticate: async (key) => keys.get(key)?.tenant ?? null,
    startRun: async () => {
      throw new Error("not in these tests");
    },
    deleteCorpus: async () => {
      throw new Error("not in these tests");
    },
    eventFeed: {
      after: async (seq, limit) => feed.filter((f) => f.seq > seq).slice(0, limit),
      last: async () => feed.at(-1)?.seq ?? 0,
    },
    limits: { maxUploadBytes: 1024 * 1024 },
    defaultTenant: "t1",
    ...(options.metrics ? { metrics: { queueDepth: async () => 0, deadLetters: async () => 0 } } : {}),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.withKeys === false
      ? {}
      : {
          apiKeys: {
            list: async (tenant) =>
              [...keys]
                .filter(([, v]) => v.tenant === tenant)
                .map(([k, v]) => ({ id: idOf(k), tenant, createdAt: v.createdAt })),
            create: async (tenant) => {
              const key = `gq_test_${++made}`;
              keys.set(key, { tenant, createdAt: new Date().toISOString() });
              return { id: idOf(key), tenant, key, createdAt: keys.get(key)!.createdAt };
            },
            revoke: async (tenant, id) => {
              const hit = [...keys].find(([k, v]) => v.tenant === tenant && idOf(k) === id);
              if (hit) keys.delete(hit[0]);
              return Boolean(hit);
            },
            idOf,
          },
        }),
  };
  const app = createApp(deps, options.streamTiming ? { streamTiming: options.streamTiming } : {});
  const call = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key !== null) headers.set("authorization", `Bearer ${init.key ?? "k1"}`);
    return app.request(path, { ...init, headers });
  };
  /** A run of tenant t1's corpus `docs`, stored in the repository. */
  const putRun = async (run: Partial<Run> & { id: string }, expected: number | null = null) =>
    repo.putRun(
      {
        corpus: "docs",
        tenant: "t1",
        state: "generating",
        reason: null,
        createdAt: "2026-01-01T00:00:00Z",
        updatedAt: "2026-01-01T00:00:00Z",
        artifacts: {},
        history: [],
        outcomePublished: false,
        version: 0,
        ...run,
      },
      expected,
    );
  return { app, deps, repo, blobs, feed, call, putRun };
}
