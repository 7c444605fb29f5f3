import { describe, expect, it } from "vitest";
import { followEvents, type StreamEvent, type StreamStatus } from "./event-stream.ts";

const sse = (chunks: string[], status = 200, type = "text/event-stream") =>
  new Response(
    new ReadableStream({
      start(c) {
        for (const x of chunks) c.enqueue(new TextEncoder().encode(x));
        c.close();
      },
    }),
    { status, headers: { "content-type": type } },
  );

describe("the console's event stream client", () => {
  it("parses events split across chunks, honours retry: and resumes after a drop with Last-Event-ID", async () => {
    const requests: Array<Record<string, string>> = [];
    const waits: number[] = [];
    const events: StreamEvent[] = [];
    const statuses: StreamStatus[] = [];
    const answers = [
      sse([
        'retry: 1500\nevent: ready\ndata: {"after":4}\n\n: heartbeat\n\nid: 5\nevent: run.progressed\nda',
        'ta: {"runId":"r1","state":"training"}\n\n',
      ]),
      sse(['id: 6\nevent: run.succeeded\ndata: {"detail":{"runId":"r1"}}\n\n']),
      sse([], 409, "application/json"),
    ];
    let stop = () => {};
    const done = new Promise<void>((resolve) => {
      stop = followEvents({
        url: "/v1/events",
        fetch: async (_url, init) => (requests.push(init.headers), answers.shift()!),
        onEvent: (e) => events.push(e),
        onStatus: (s) => (statuses.push(s), s === "unavailable" && resolve()),
        sleep: async (ms) => void waits.push(ms),
      });
    });
    await done;
    stop();
    expect(events.map((e) => [e.type, e.id ?? null])).toEqual([
      ["ready", null],
      ["run.progressed", "5"],
      ["run.succeeded", "6"],
    ]);
    expect(events[1]!.data).toEqual({ runId: "r1", state: "training" });
    expect(requests.map((h) => h["last-event-id"] ?? null)).toEqual([null, "5", "6"]);
    expect(waits).toEqual([1500, 1500]);
    expect(statuses).toEqual(["connecting", "live", "reconnecting", "live", "reconnecting", "unavailable"]);
  });

  it("treats a server without a stream as unavailable at once, so the page polls instead", async () => {
    const statuses: string[] = [];
    await new Promise<void>((resolve) => {
      followEvents({
        url: "/v1/events",
        fetch: async () =>
          new Response('{"error":{"code":"conflict"}}', {
            status: 409,
            headers: { "content-type": "application/json" },
          }),
        onEvent: () => {},
        onStatus: (s, detail) => (
          statuses.push(`${s}${detail ? `: ${detail}` : ""}`),
          s === "unavailable" && resolve()
        ),
      });
    });
    expect(statuses).toEqual(["connecting", "unavailable: the server has no event stream here (409)"]);
  });
});
