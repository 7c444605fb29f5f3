import { describe, expect, it } from "vitest";
import type { Corpus, GenqEvent } from "@genq/core";
import { testApp } from "../test-app.ts";

const TIMING = { pollMs: 10, heartbeatMs: 120, retryMs: 2500 };

/** Reads an SSE response until `until` holds for the text so far (or fails after 3 s). */
function reader(res: Response) {
  const r = res.body!.getReader();
  let text = "";
  return {
    async until(pred: (text: string) => boolean): Promise<string> {
      const deadline = Date.now() + 3000;
      while (!pred(text)) {
        if (Date.now() > deadline) throw new Error(`stream did not show it; got:\n${text}`);
        const { value, done } = await r.read();
        if (done) throw new Error(`stream ended:\n${text}`);
        text += new TextDecoder().decode(value);
      }
      return text;
    },
    cancel: () => r.cancel(),
  };
}

const corpus = (name: string, tenant: string, activeRunId: string | null): Corpus => ({
  name,
  tenant,
  createdAt: "t",
  servingRunId: null,
  servingIndexVersion: null,
  servingSetup: null,
  activeRunId,
  version: 0,
});
const event = (seq: number, e: Omit<GenqEvent, "id" | "time">) => ({
  seq,
  event: { ...e, id: `e${seq}`, time: "2026-01-01T00:00:00Z" } as GenqEvent,
});

// The stream's wire format is the WHATWG HTML standard's Server-Sent Events
// (https://html.spec.whatwg.org/multipage/server-sent-events.html): `retry:` sets the reconnection
// delay, a line starting with ':' is a comment, `id:` becomes the Last-Event-ID of a reconnection.
describe("the event stream", () => {
  it("opens with retry:, reports each state change of the tenant's runs, heartbeats when quiet, and keeps other tenants' events out", async () => {
    const { call, repo, feed, putRun } = testApp({ streamTiming: TIMING });
    await repo.putCorpus(corpus("docs", "t1", "r1"), null);
    await repo.putCorpus(corpus("other", "t2", null), null);
    let run = await putRun({ id: "r1", state: "generating" });
    const res = await call("/v1/events");
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const s = reader(res);
    let text = await s.until((t) => t.includes('"state":"generating"'));
    expect(text).toMatch(/^event: ready\ndata: \{"after":0\}\nid: 0\nretry: 2500\n\n/);

    run = await repo.putRun(
      {
        ...run,
        state: "training",
        updatedAt: "2026-01-01T00:01:00Z",
        history: [{ at: "2026-01-01T00:01:00Z", from: "generating", to: "training", event: "queries.generated" }],
      },
      run.version,
    );
    text = await s.until((t) => t.includes('"state":"training"'));
    const progressed = text.split("\n\n").find((m) => m.includes('"state":"training"'))!;
    expect(progressed.startsWith("event: run.progressed\ndata: ")).toBe(true);
    expect(JSON.parse(progressed.split("data: ")[1]!)).toMatchObject({
      type: "run.progressed",
      corpus: "docs",
      detail: { runId: "r1", state: "training", history: [{ from: "generating", to: "training" }] },
    });

    text = await s.until((t) => t.includes(": heartbeat\n\n"));

    feed.push(
      event(1, {
        type: "document.chunked",
        corpus: "other",
        detail: { path: "secret.md", contentHash: "h", documents: 1, passages: 1 },
      }),
    );
    feed.push(
      event(2, { type: "run.succeeded", corpus: "docs", detail: { runId: "r1", indexVersion: "v1", reportKey: "k" } }),
    );
    await repo.putRun({ ...run, state: "ready", updatedAt: "2026-01-01T00:02:00Z" }, run.version);
    text = await s.until((t) => t.includes("event: run.succeeded") && t.includes('"state":"ready"'));
    expect(text).toContain("id: 2\n");
    expect(text).not.toContain("secret.md");
    await s.cancel();
  });

  it("resumes after Last-Event-ID", async () => {
    const { call, repo, feed } = testApp({ streamTiming: TIMING });
    await repo.putCorpus(corpus("docs", "t1", null), null);
    for (const seq of [1, 2, 3])
      feed.push(
        event(seq, { type: "document.rejected", corpus: "docs", detail: { path: `f${seq}.bin`, reason: "binary" } }),
      );
    const s = reader(await call("/v1/events", { headers: { "last-event-id": "1" } }));
    const text = await s.until((t) => t.includes("f3.bin"));
    expect(text).not.toContain("f1.bin");
    expect(text).toContain("f2.bin");
    await s.cancel();
  });

  it("a browser reconnecting before any event arrived resumes where it left off, so an event of the gap still arrives", async () => {
    const { call, repo, feed } = testApp({ streamTiming: TIMING });
    await repo.putCorpus(corpus("docs", "t1", null), null);
    feed.push(event(1, { type: "document.rejected", corpus: "docs", detail: { path: "old.bin", reason: "binary" } }));
    const first = reader(await call("/v1/events"));
    const seen = await first.until((t) => t.includes("event: ready"));
    await first.cancel();
    feed.push(event(2, { type: "document.rejected", corpus: "docs", detail: { path: "gap.bin", reason: "binary" } }));
    // EventSource keeps the last `id:` it was given and sends it as Last-Event-ID on reconnecting; with
    // none given, it sends no header (WHATWG HTML, "Server-sent events", processing the event stream).
    const lastId = [...seen.matchAll(/^id: ?(.*)$/gm)].at(-1)?.[1];
    const again = reader(
      await call("/v1/events", { headers: lastId === undefined ? {} : { "last-event-id": lastId } }),
    );
    const text = await again.until((t) => t.includes("gap.bin"));
    expect(text).not.toContain("old.bin");
    await again.cancel();
  });

  it("starts from now for a Last-Event-ID it never gave out (empty, negative, not a number), replaying nothing", async () => {
    const { call, repo, feed } = testApp({ streamTiming: TIMING });
    await repo.putCorpus(corpus("docs", "t1", null), null);
    feed.push(event(1, { type: "document.rejected", corpus: "docs", detail: { path: "old.bin", reason: "binary" } }));
    for (const id of ["", " ", "-1", "1e0", "abc"]) {
      const s = reader(await call("/v1/events", { headers: { "last-event-id": id } }));
      expect(await s.until((t) => t.includes("event: ready")), JSON.stringify(id)).toContain('data: {"after":1}');
      await s.cancel();
    }
  });

  it("a Last-Event-ID past the newest event (a stream of an earlier data folder) resumes from the newest, so new events arrive", async () => {
    const { call, repo, feed } = testApp({ streamTiming: TIMING });
    await repo.putCorpus(corpus("docs", "t1", null), null);
    feed.push(event(1, { type: "document.rejected", corpus: "docs", detail: { path: "old.bin", reason: "binary" } }));
    const s = reader(await call("/v1/events", { headers: { "last-event-id": "5000" } }));
    expect(await s.until((t) => t.includes("event: ready"))).toContain('data: {"after":1}');
    feed.push(event(2, { type: "document.rejected", corpus: "docs", detail: { path: "new.bin", reason: "binary" } }));
    const text = await s.until((t) => t.includes("new.bin"));
    expect(text).not.toContain("old.bin");
    await s.cancel();
  });

  it("ends once its key is revoked: no event reaches a revoked key through a stream opened before", async () => {
    const { call, repo, feed, deps } = testApp({ streamTiming: TIMING });
    await repo.putCorpus(corpus("docs", "t1", null), null);
    const s = reader(await call("/v1/events"));
    await s.until((t) => t.includes("event: ready"));
    expect(await deps.apiKeys!.revoke("t1", deps.apiKeys!.idOf("k1"))).toBe(true);
    feed.push(
      event(1, { type: "document.rejected", corpus: "docs", detail: { path: "after-revoke.bin", reason: "binary" } }),
    );
    await expect(s.until((t) => t.includes("after-revoke.bin"))).rejects.toThrow(/^stream ended/);
  });

  it("needs a key, and says where events go on a runtime without a stream", async () => {
    const { call, deps } = testApp();
    expect((await call("/v1/events", { key: null })).status).toBe(401);
    delete deps.eventFeed;
    expect((await call("/v1/events")).status).toBe(409);
  });
});
