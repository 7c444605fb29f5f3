import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { PUBLIC_EVENT_TYPES, ConflictError } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";

/**
 * `GET /v1/events`: a Server-Sent Events stream of genq's public stage events for the caller's corpora
 * (the local counterpart of an EventBridge subscription). Resumes after `Last-Event-ID` or `?after=`.
 */
export function registerEventRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps, pollMs = 250) {
  // A stream has no JSON schema for the OpenAPI document; it is listed there with its media type.
  app.openAPIRegistry.registerPath({
    method: "get", path: "/v1/events", tags: ["events"], summary: "Server-Sent Events: genq's public stage events for your corpora, resumable with Last-Event-ID",
    request: { query: z.object({ after: z.string().optional().openapi({ param: { name: "after", in: "query" }, description: "resume after this event number" }) }) },
    responses: { 200: { description: "an event stream", content: { "text/event-stream": { schema: z.string() } } } },
  });
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
