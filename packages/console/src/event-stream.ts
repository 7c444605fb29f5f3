import { createParser } from "eventsource-parser";

/** One event from `GET /v1/events`: its type (`run.progressed`, `document.chunked`, …), its id, its data. */
export interface StreamEvent {
  type: string;
  id?: string;
  data: Record<string, unknown>;
}

/** live: connected; reconnecting: waiting `retry` ms after a drop; unavailable: the server has no stream (poll instead). */
export type StreamStatus = "connecting" | "live" | "reconnecting" | "unavailable" | "closed";

export interface StreamOptions {
  /** fetch with the caller's credentials added (the console's adds the Authorization header). */
  fetch(url: string, init: { headers: Record<string, string>; signal: AbortSignal }): Promise<Response>;
  url: string;
  onEvent(event: StreamEvent): void;
  onStatus(status: StreamStatus, detail?: string): void;
  /** Waits between reconnections (tests pass a fake clock). */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Follow the server's event stream over fetch, so the API key travels in a header (a browser's
 * EventSource cannot send one, and a key must never sit in a URL). Reconnects after a drop, waiting the
 * server's `retry:` and resuming with `Last-Event-ID`; a server without a stream (an error status, or not
 * `text/event-stream`) makes the status `unavailable` and the caller polls. Returns a function that stops it.
 */
export function followEvents(options: StreamOptions): () => void {
  const abort = new AbortController();
  const sleep = options.sleep ?? defaultSleep;
  let lastId: string | undefined;
  let retry = 3000;
  const parser = createParser({
    onEvent(message) {
      if (message.id) lastId = message.id;
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse(message.data) as Record<string, unknown>;
      } catch {
        data = { text: message.data };
      }
      options.onEvent({ type: message.event ?? "message", ...(message.id ? { id: message.id } : {}), data });
    },
    onRetry(ms) {
      retry = ms;
    },
  });

  void (async () => {
    options.onStatus("connecting");
    while (!abort.signal.aborted) {
      try {
        const res = await options.fetch(options.url, {
          headers: { accept: "text/event-stream", ...(lastId ? { "last-event-id": lastId } : {}) },
          signal: abort.signal,
        });
        if (!res.ok || !(res.headers.get("content-type") ?? "").includes("text/event-stream") || !res.body) {
          options.onStatus("unavailable", `the server has no event stream here (${res.status})`);
          return;
        }
        options.onStatus("live");
        parser.reset();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch (error) {
        if (abort.signal.aborted) break;
        // A refused key ends the stream for good (the app signs out); anything else is a drop.
        if ((error as { status?: number }).status === 401) {
          options.onStatus("unavailable", "the key was refused");
          return;
        }
      }
      if (abort.signal.aborted) break;
      options.onStatus("reconnecting");
      await sleep(retry, abort.signal);
    }
    options.onStatus("closed");
  })();
  return () => abort.abort();
}
