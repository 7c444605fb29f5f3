import cluster from "node:cluster";
import { isIP } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { createApp } from "@genq/api";
import { startRun } from "@genq/core";
import { createSqliteApiKeys } from "@genq/local";
import { createExtractiveGenerator, createExtractiveReader } from "@genq/ml";
import type { LocalDeps } from "./local-deps.ts";

/** The URL a server listening on `host` and `port` is reached at (an IPv6 address in brackets). */
export function serverUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}`;
}

/** A line saying who can reach the server when it listens beyond this machine's loopback; null otherwise. */
export function exposureNote(host: string): string | null {
  if (host === "localhost" || host === "::1" || host.startsWith("127.")) return null;
  return `  listening on ${host} (GENQ_HOST): other machines can reach it; every /v1 route still needs an API key`;
}

/**
 * Serve with several processes sharing the port (Node's cluster module): each worker opens the same
 * SQLite file (WAL allows many readers) and holds its own copy of the in-memory signals; only the first
 * worker delivers events, so the pipeline still runs once. Resolves in the primary once every worker
 * listens.
 */
export async function forkServeWorkers(count: number): Promise<{ stop(): void }> {
  const workers = Array.from({ length: count }, () => cluster.fork());
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once("listening", () => resolve());
    w.once("exit", (code) => reject(new Error(`a server process exited (code ${code}) before listening`)));
  })));
  return { stop: () => workers.forEach((w) => w.kill("SIGTERM")) };
}

/** Build the HTTP app over the local runtime. */
export function createLocalApp(deps: LocalDeps) {
  const keys = createSqliteApiKeys(deps.db);
  if (process.env.GENQ_API_KEY) keys.register(process.env.GENQ_API_KEY, deps.config.tenant);
  const app = createApp({
    repo: deps.repo,
    blobs: deps.blobs,
    events: deps.outbox,
    index: deps.index,
    clock: deps.clock,
    logger: deps.logger,
    encoderFor: deps.encoderFor,
    reader: createExtractiveReader(),
    generator: createExtractiveGenerator(),
    authenticate: async (key) => keys.tenantOf(key),
    startRun: (input) => startRun(deps.engine, input),
    eventFeed: { after: async (seq, limit) => deps.outbox.readAfter(seq, limit), last: async () => deps.outbox.lastSeq() },
    limits: { maxUploadBytes: Math.round(deps.config.maxDocumentMb * 1024 * 1024) },
    corsOrigins: deps.config.corsOrigins,
    apiKeys: {
      list: async (tenant) => keys.list(tenant),
      create: async (tenant) => {
        const key = keys.create(tenant);
        return { id: keys.idOf(key), key, createdAt: keys.list(tenant).find((k) => k.id === keys.idOf(key))?.createdAt ?? new Date().toISOString() };
      },
      revoke: async (tenant, id) => keys.revoke(tenant, id),
      idOf: keys.idOf,
    },
  });
  return { app, keys };
}

/**
 * Serve the API and keep the pipeline moving in the background: the outbox is drained continuously so
 * uploads get chunked and runs progress while the server answers, and the reconciler runs at start and
 * every `reconcileSeconds` (it re-issues what a crash lost and fails runs past their stage's deadline).
 * Returns a handle to stop both.
 */
export async function serveLocal(deps: LocalDeps, port: number, options: { pump?: boolean } = {}): Promise<{ server: ServerType; port: number; stop(): Promise<void> }> {
  const { app } = createLocalApp(deps);
  for (const corpus of await deps.repo.listCorpora()) await deps.index.warm(corpus.name);
  let running = options.pump ?? true;
  const reconcile = async () => {
    await deps.reconcile().catch((error: unknown) => deps.logger.error("reconciling runs failed", { reason: error instanceof Error ? error.message : String(error) }));
  };
  if (running) await reconcile();
  let nextReconcile = Date.now() + deps.config.reconcileSeconds * 1000;
  const pump = (async () => {
    while (running) {
      if (Date.now() >= nextReconcile) {
        await reconcile();
        nextReconcile = Date.now() + deps.config.reconcileSeconds * 1000;
      }
      const r = await deps.outbox.drain(deps.handle).catch((error: unknown) => {
        deps.logger.error("event delivery loop failed", { reason: error instanceof Error ? error.message : String(error) });
        return { delivered: 0, retried: 0, deadLettered: 0 };
      });
      if (r.delivered + r.retried + r.deadLettered === 0) await new Promise((res) => setTimeout(res, 200));
    }
  })();
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: deps.config.host }, () => resolve(s));
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    server,
    port: actual,
    async stop() {
      running = false;
      await pump;
      await deps.jobs.idle();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
