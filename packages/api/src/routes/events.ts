import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { PUBLIC_EVENT_TYPES, ConflictError, corpusNameOf, isTerminal, type Run } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { errors } from "../schemas.ts";

/** How the stream paces itself: how often it looks for news, how long a silent stream waits before a heartbeat, the client's reconnection delay. */
export interface StreamTiming {
  pollMs: number;
  heartbeatMs: number;
  retryMs: number;
}
export const DEFAULT_STREAM_TIMING: StreamTiming = { pollMs: 250, heartbeatMs: 15_000, retryMs: 3_000 };

const eventsRoute = createRoute({
  method: "get",
  path: "/v1/events",
  operationId: "streamEvents",
  tags: ["events"],
  summary: "Server-Sent Events: your corpora's stage events and live run progress",
  description:
    "A `text/event-stream` of genq's public events for your corpora (`document.chunked`, `document.rejected`, `document.deleted`, `run.started`, `run.succeeded`, `run.failed`, `run.rejected`; each `data` is the event as JSON with its `id`), and `run.progressed` whenever a run of yours changes state (`detail`: `runId`, `state`, `reason`, `updatedAt`, `history`; sent for every unfinished run when the stream opens). The first message (`ready`) carries `retry:` and, as its `id`, the position the stream starts after (so a client reconnecting before any event resumes from there); a comment line is sent as a heartbeat when the stream is otherwise quiet. Resume after a drop with the `Last-Event-ID` header (or `?after=`). Browsers: read it with `fetch` and the `Authorization` header (an `EventSource` cannot send one). The AWS runtime publishes to its EventBridge bus instead and answers 409.",
  request: {
    headers: z.object({
      "last-event-id": z
        .string()
        .optional()
        .openapi({ description: "the id of the last event received; the stream resumes after it" }),
    }),
    query: z.object({
      after: z
        .string()
        .regex(/^\d+$/)
        .optional()
        .openapi({ description: "resume after this event id (for clients that cannot set Last-Event-ID)" }),
    }),
  },
  responses: {
    200: {
      description: "the event stream",
      content: {
        "text/event-stream": {
          schema: z.string().openapi({
            example:
              'event: run.progressed\ndata: {"type":"run.progressed","corpus":"docs","detail":{"runId":"run-1","state":"training"}}\n\n',
          }),
        },
      },
    },
    401: errors[401],
    409: { description: "this runtime has no event stream (subscribe to the event bus)", content: errors[409].content },
  },
});

/** A run's progress as the stream reports it. */
const progress = (run: Run) => ({
  type: "run.progressed",
  corpus: corpusNameOf(run.corpus),
  time: run.updatedAt,
  detail: {
    runId: run.id,
    state: run.state,
    reason: run.reason,
    updatedAt: run.updatedAt,
    history: run.history.map(({ at, from, to, event }) => ({ at, from, to, event })),
  },
});

/**
 * `GET /v1/events`: a Server-Sent Events stream of genq's public stage events for the caller's corpora
 * (the local counterpart of an EventBridge subscription), with `run.progressed` read from the stored
 * runs (the truth the engine keeps), `retry:`, heartbeats, and resumption after `Last-Event-ID`.
 */
export function registerEventRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: ApiDeps,
  timing: StreamTiming = DEFAULT_STREAM_TIMING,
) {
  app.openAPIRegistry.registerPath(eventsRoute);
  app.get("/v1/events", async (c) => {
    const feed = deps.eventFeed;
    if (!feed) throw new ConflictError("this runtime publishes events to its event bus; subscribe there");
    const tenant = c.get("tenant");
    const key = c.get("apiKey");
    // Only an id this stream gives out (a decimal position) resumes; anything else ("", "-1", "abc") starts
    // from now, as no id would, rather than replaying the whole history.
    const given = (c.req.header("last-event-id") ?? c.req.query("after") ?? "").trim();
    const resumeFrom = /^\d+$/.test(given) ? Number(given) : Number.NaN;
    const newest = await feed.last();
    // An id past the newest was never given out here (a stream of an earlier data folder): resume from now.
    const startAfter = Number.isFinite(resumeFrom) ? Math.min(resumeFrom, newest) : newest;
    return streamSSE(c, async (stream) => {
      let after = startAfter;
      let open = true;
      let lastWrite = Date.now();
      stream.onAbort(() => void (open = false));
      const send = async (message: { event: string; data: string; id?: string; retry?: number }) => {
        await stream.writeSSE(message);
        lastWrite = Date.now();
      };
      // Runs to follow: the tenant's unfinished runs now, and each run that starts while the stream is open.
      const followed = new Map<string, string>();
      const follow = async (runId: string) => {
        const run = await deps.repo.getRun(runId);
        if (!run || run.tenant !== tenant) return;
        const seen = followed.get(runId);
        if (seen !== `${run.state}@${run.updatedAt}`)
          await send({ event: "run.progressed", data: JSON.stringify(progress(run)) });
        if (isTerminal(run.state)) followed.delete(runId);
        else followed.set(runId, `${run.state}@${run.updatedAt}`);
      };
      // `ready` carries its position as its id: a browser that reconnects before any event reached it then
      // resumes from here (EventSource sends no Last-Event-ID until some message had an id, and none is "now").
      await send({ id: String(after), event: "ready", data: JSON.stringify({ after }), retry: timing.retryMs });
      for (const corpus of await deps.repo.listCorpora(tenant))
        if (corpus.activeRunId) await follow(corpus.activeRunId);
      while (open) {
        // A key revoked while its stream is open ends the stream: no event reaches it (a reconnect gets 401).
        if ((await deps.authenticate(key)) !== tenant) break;
        const items = await feed.after(after, 100);
        for (const item of items) {
          after = item.seq;
          if (!PUBLIC_EVENT_TYPES.includes(item.event.type)) continue;
          const corpus = await deps.repo.getCorpus(item.event.corpus);
          if (corpus?.tenant !== tenant) continue;
          if (item.event.type === "run.started") followed.set(item.event.detail.runId, "");
          // Events name corpora as their owner does (a tenant-qualified id never leaves the server).
          await send({
            id: String(item.seq),
            event: item.event.type,
            data: JSON.stringify({ ...item.event, corpus: corpusNameOf(item.event.corpus) }),
          });
        }
        for (const runId of [...followed.keys()]) await follow(runId);
        if (Date.now() - lastWrite >= timing.heartbeatMs) {
          // A comment line: EventSource and fetch readers ignore it, proxies see a live connection.
          await stream.write(": heartbeat\n\n");
          lastWrite = Date.now();
        }
        if (!items.length) await stream.sleep(timing.pollMs);
      }
    });
  });
}
