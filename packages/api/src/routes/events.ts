import type { OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { PUBLIC_EVENT_TYPES, ConflictError } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";

/**
 * `GET /v1/events`: a Server-Sent Events stream of genq's public stage events for the caller's corpora
 * (the local counterpart of an EventBridge subscription). Resumes after `Last-Event-ID` or `?after=`.
 */
export function registerEventRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps, pollMs = 250) {
  app.get("/v1/events", async (c) => {
    const feed = deps.eventFeed;
    if (!feed) throw new ConflictError("this runtime publishes events to its event bus; subscribe there");
    const tenant = c.get("tenant");
    const startAfter = Number(c.req.header("last-event-id") ?? c.req.query("after") ?? (await feed.last()));
    return streamSSE(c, async (stream) => {
      let after = Number.isFinite(startAfter) ? startAfter : await feed.last();
      let open = true;
      stream.onAbort(() => void (open = false));
      await stream.writeSSE({ event: "ready", data: JSON.stringify({ after }) });
      while (open) {
        const items = await feed.after(after, 100);
        for (const item of items) {
          after = item.seq;
          if (!PUBLIC_EVENT_TYPES.includes(item.event.type)) continue;
          const corpus = await deps.repo.getCorpus(item.event.corpus);
          if (corpus?.tenant !== tenant) continue;
          await stream.writeSSE({ id: String(item.seq), event: item.event.type, data: JSON.stringify(item.event) });
        }
        if (!items.length) await stream.sleep(pollMs);
      }
    });
  });
}
