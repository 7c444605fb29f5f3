import cluster, { type Worker } from "node:cluster";
import type { Server } from "node:http";
import { isIP, type Socket } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { createApp, problem, PROBLEM_CONTENT_TYPE } from "@genq/api";
import { ConflictError, deleteCorpus, startRun } from "@genq/core";
import { createSqliteApiKeys } from "@genq/local";
import { createExtractiveGenerator, createExtractiveReader } from "@genq/ml";
import { startEventPump } from "./event-pump.ts";
import type { LocalDeps } from "./local-deps.ts";
import { releaseUnservedModels, startPipelineThread } from "./pipeline-thread.ts";

/** Where a server's pipeline runs: on the serving thread, or on a thread of its own (searches never wait for it). */
export type PipelineMode = "inline" | "thread";

/** Headers up to this size reach the app (which refuses over-long API keys with 431); larger ones get 431 from the socket. */
const MAX_HEADER_BYTES = 1024 * 1024;

/** Listening failed because the port is taken: the message is the one line users see. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(
      `port ${port} is already in use (another genq serve?): stop that process, or choose another port with --port N or GENQ_PORT`,
    );
  }
}

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
 * listens; rejects with the exit code of a worker that ended before listening (it has said why).
 * `stop` asks every worker to shut down gracefully (SIGTERM), waits up to `graceMs` for them to exit,
 * kills what is left and resolves once all are gone.
 */
export async function forkServeWorkers(
  count: number,
  graceMs: number,
): Promise<{ workers: Worker[]; stop(): Promise<void> }> {
  const workers = Array.from({ length: count }, () => cluster.fork());
  const exited = workers.map(
    (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once("exit", () => resolve()))),
  );
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once("listening", () => resolve());
            w.once("exit", (code) =>
              reject(
                Object.assign(new Error(`a server process exited (code ${code}) before listening`), {
                  exitCode: code ?? 1,
                }),
              ),
            );
          }),
      ),
    );
  } catch (error) {
    for (const w of workers) if (!w.isDead()) w.process.kill("SIGTERM");
    await Promise.all(exited);
    throw error;
  }
  return {
    workers,
    async stop() {
      for (const w of workers) if (!w.isDead()) w.process.kill("SIGTERM");
      const timer = setTimeout(() => workers.forEach((w) => !w.isDead() && w.process.kill("SIGKILL")), graceMs);
      await Promise.all(exited);
      clearTimeout(timer);
    },
  };
}

/** Build the HTTP app over the local runtime. */
export function createLocalApp(deps: LocalDeps) {
  const keys = createSqliteApiKeys(deps.db);
  if (process.env.GENQ_API_KEY) {
    try {
      keys.register(process.env.GENQ_API_KEY, deps.config.tenant);
    } catch (error) {
      if (error instanceof ConflictError) throw new ConflictError(`GENQ_API_KEY: ${error.message}`);
      throw error;
    }
  }
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
    deleteCorpus: (input) => deleteCorpus(deps.documentDeps, input),
    apiKeys: keys.store(),
    eventFeed: {
      after: async (seq, limit) => deps.outbox.readAfter(seq, limit),
      last: async () => deps.outbox.lastSeq(),
    },
    limits: {
      maxUploadBytes: Math.round(deps.config.maxDocumentMb * 1024 * 1024),
      maxBodyBytes: deps.config.maxBodyMb ? Math.round(deps.config.maxBodyMb * 1024 * 1024) : undefined,
    },
    defaultTenant: deps.config.tenant,
    metrics: {
      queueDepth: async () => deps.outbox.pendingCount(),
      deadLetters: async () => deps.outbox.deadLetters().length,
    },
    corsOrigins: deps.config.corsOrigins,
  });
  return { app, keys };
}

/**
 * Headers too large for the HTTP parser: answer 431 as a problem document, then keep reading what the
 * client still sends until it is done (closing with unread data would reset the connection before the
 * client reads the answer), at most a few seconds.
 */
function answerOversizedHeaders(error: NodeJS.ErrnoException & { code?: string }, socket: Socket) {
  if (!socket.writable) return void socket.destroy();
  if (error.code !== "HPE_HEADER_OVERFLOW")
    return void socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  const body = JSON.stringify(
    problem("header_too_large", 431, `request headers are over the ${MAX_HEADER_BYTES / 1024} KiB limit`),
  );
  socket.end(
    `HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.on("data", () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), 5000).unref();
}

/**
 * Serve the API and keep the pipeline moving in the background (unless `pump` is false): events are
 * delivered continuously so uploads get chunked and runs progress while the server answers, and the
 * reconciler runs at start and every `reconcileSeconds` (see event-pump.ts). With `pipeline: "thread"`
 * that work runs on a thread of its own, so searches never wait for a run (see pipeline-thread.ts);
 * "inline" (the default here) keeps it on this thread. Without the pipeline, the process lets go of models
 * no corpus serves every `reconcileSeconds`. A taken port rejects with PortInUseError. `stop` shuts down gracefully: it stops accepting
 * connections, lets requests in flight finish for up to `shutdownSeconds` (then closes what is left,
 * event streams included), and stops the delivery loop; background jobs are not waited for (a run
 * they leave unfinished is picked up by the reconciler of the next process).
 */
export async function serveLocal(
  deps: LocalDeps,
  port: number,
  options: { pump?: boolean; pipeline?: PipelineMode } = {},
): Promise<{ server: ServerType; port: number; stop(): Promise<void> }> {
  const { app } = createLocalApp(deps);
  for (const corpus of await deps.repo.listCorpora()) await deps.index.warm(corpus.name);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      { fetch: app.fetch, port, hostname: deps.config.host, serverOptions: { maxHeaderSize: MAX_HEADER_BYTES } },
      () => resolve(s),
    );
    s.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port) : error),
    );
  });
  (server as Server).on("clientError", answerOversizedHeaders);
  const pipeline =
    options.pump === false
      ? null
      : options.pipeline === "thread"
        ? await startPipelineThread(deps)
        : await startEventPump(deps);
  // A process serving without the pipeline (GENQ_SERVE_WORKERS > 1) is never told when a run retires a
  // model: it lets go of models no corpus serves on the reconciler's beat.
  const tidy =
    options.pump === false
      ? setInterval(
          () =>
            void releaseUnservedModels(deps).catch((error: unknown) =>
              deps.logger.warn("letting go of unserved models failed", {
                reason: error instanceof Error ? error.message : String(error),
              }),
            ),
          deps.config.reconcileSeconds * 1000,
        )
      : null;
  tidy?.unref();
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    server,
    port: actual,
    async stop() {
      const http = server as Server;
      const closed = new Promise<void>((r) => http.close(() => r()));
      http.closeIdleConnections();
      const grace = setTimeout(() => http.closeAllConnections(), deps.config.shutdownSeconds * 1000);
      await closed;
      clearTimeout(grace);
      if (tidy) clearInterval(tidy);
      await pipeline?.stop();
    },
  };
}
