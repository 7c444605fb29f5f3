import type { OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { PUBLIC_EVENT_TYPES, ConflictError, corpusNameOf } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";

/**
 * `GET /v1/events`: a Server-Sent Events stream of genq's public stage events for the caller's corpora
 * (the local counterpart of an EventBridge subscription). Resumes after `Last-Event-ID` or `?after=`.
 * Tells clients to reconnect after 3 s (`retry:`) and sends a comment line every `heartbeatMs` while
 * idle, so proxies and clients can tell a quiet stream from a dead one. Events name corpora as their
 * owner does.
 */
export function registerEventRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps, pollMs = 250, heartbeatMs = 15_000) {
  app.get("/v1/events", async (c) => {
    const feed = deps.eventFeed;
    if (!feed) throw new ConflictError("this runtime publishes events to its event bus; subscribe there");
    const tenant = c.get("tenant");
    const startAfter = Number(c.req.header("last-event-id") ?? c.req.query("after") ?? (await feed.last()));
    return streamSSE(c, async (stream) => {
      let after = Number.isFinite(startAfter) ? startAfter : await feed.last();
      let open = true;
      stream.onAbort(() => void (open = false));
      await stream.writeSSE({ event: "ready", data: JSON.stringify({ after }), retry: 3000 });
      let lastWrite = Date.now();
      while (open) {
        const items = await feed.after(after, 100);
        for (const item of items) {
          after = item.seq;
          if (!PUBLIC_EVENT_TYPES.includes(item.event.type)) continue;
          const corpus = await deps.repo.getCorpus(item.event.corpus);
          if (corpus?.tenant !== tenant) continue;
          await stream.writeSSE({ id: String(item.seq), event: item.event.type, data: JSON.stringify({ ...item.event, corpus: corpusNameOf(item.event.corpus) }) });
          lastWrite = Date.now();
        }
        if (Date.now() - lastWrite >= heartbeatMs) {
          await stream.write(": heartbeat\n\n");
          lastWrite = Date.now();
        }
        if (!items.length) await stream.sleep(pollMs);
      }
    });
  });
}
