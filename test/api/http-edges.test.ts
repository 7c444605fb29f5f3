import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { corpusRecord } from "@genq/core/testing";
import { createApp, type ApiDeps } from "@genq/api";
import {
  corpusIdFor,
  deleteCorpus,
  silentLogger,
  startRun,
  systemClock,
  type BlobStore,
  type Generator,
  type Logger,
  type Reader,
} from "@genq/core";
import { createFolderBlobStore } from "@genq/local";
import {
  memoryBlobStore,
  memoryBus,
  memoryRepository,
  scriptedSearchIndex,
} from "../../packages/core/src/testing/memory-ports.ts";
import { tempDir } from "../e2e-local/helpers.ts";

const reader: Reader = {
  read: async () => ({ answers: [], noAnswer: true, bestGuess: null, metadata: { model: "none", latencyMs: 0 } }),
};
const generator: Generator = {
  answer: async () => ({
    answer: "",
    sentences: [],
    noAnswer: true,
    reason: "none",
    metadata: { model: "none", latencyMs: 0 },
  }),
};
const KEYS: Record<string, string> = { "key-local": "local", "key-b": "b", "key-c": "c" };

/** The app over in-memory ports and the given blob store (memory behaves as S3 does; the folder store as a disk does). */
function appWith(blobs: BlobStore, options: { logger?: Logger; maxBodyBytes?: number } = {}) {
  const repo = memoryRepository();
  const events = memoryBus();
  const index = scriptedSearchIndex(() => []);
  const deps: ApiDeps = {
    repo,
    blobs,
    events,
    index,
    clock: systemClock,
    logger: options.logger ?? silentLogger,
    encoderFor: async () => ({ dimensions: 2, encode: async (texts) => texts.map(() => new Float32Array([1, 0])) }),
    reader,
    generator,
    authenticate: async (key) => KEYS[key] ?? null,
    startRun: (input) =>
      startRun({ repo, events, clock: systemClock, logger: silentLogger, stages: {} as never }, input),
    deleteCorpus: (input) =>
      deleteCorpus(
        { repo, blobs, index, deployer: { retire: async () => {} }, clock: systemClock, logger: silentLogger },
        input,
      ),
    limits: { maxUploadBytes: 1000, maxBodyBytes: options.maxBodyBytes },
    defaultTenant: "local",
    metrics: { queueDepth: async () => 7, deadLetters: async () => 2 },
  };
  const app = createApp(deps);
  const call = (
    path: string,
    init: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {},
  ) =>
    app.request(path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {
        authorization: `Bearer ${init.key ?? "key-local"}`,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  return { app, call, repo, blobs };
}

type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
};
const problemOf = async (res: Response) => {
  // RFC 9457 §3: a problem document is application/problem+json with type, title, status and detail.
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Problem;
  expect(body.status).toBe(res.status);
  expect(body.type).toBe(`urn:genq:problem:${body.code}`);
  return body;
};

const upload = (
  call: ReturnType<typeof appWith>["call"],
  path: string,
  content = "# Hi\n\nSome text.",
  extra: Record<string, unknown> = {},
  key?: string,
) => call("/v1/corpora/docs/documents", { body: { path, content, ...extra }, key });

describe.each([
  ["memory store (S3 semantics)", () => memoryBlobStore()],
  ["folder store (disk semantics)", () => createFolderBlobStore(tempDir())],
])("upload path rules on the %s", (_name, store) => {
  it("refuses bad paths, clashes, types and encodings at once, naming the problem, and stores nothing for them", async () => {
    const { call, blobs } = appWith(store());
    expect((await upload(call, "guide/intro.md")).status).toBe(202);

    const cases: Array<[string, Record<string, unknown>, number, RegExp]> = [
      [`${"x".repeat(300)}.md`, {}, 400, /^path: has a 303-byte name/],
      ["notes\nsecret.md", {}, 400, /^path: contains a control character \(\\n\) at position 6/],
      ["tab\there.md", {}, 400, /control character \(\\t\)/],
      ["../escape.md", {}, 400, /^path: must stay inside the corpus/],
      ["guide", {}, 409, /^path: "guide" is a folder of documents in corpus "docs" \(it holds "guide\/intro.md"\)/],
      [
        "guide/intro.md/inner.md",
        {},
        409,
        /^path: "guide\/intro.md" is a document in corpus "docs", so "guide\/intro.md\/inner.md" cannot be put under it/,
      ],
      ["report.docx", {}, 415, /^path: unsupported file type "\.docx"/],
      ["README", {}, 415, /unsupported file type "\(none\)"/],
      ["bad64.md", { encoding: "base64", content: "not base64!!" }, 400, /^content: not valid base64/],
      ["empty.md", { content: "" }, 400, /^content: empty/],
      ["big.md", { content: "x".repeat(1001) }, 413, /^content: 1001 bytes, the limit is 1000/],
    ];
    for (const [path, extra, status, detail] of cases) {
      const res = await upload(call, path, "# Hi", extra);
      expect(res.status, path).toBe(status);
      expect((await problemOf(res)).detail, path).toMatch(detail);
    }
    const good = await upload(call, "b64.md", "", {
      encoding: "base64",
      content: Buffer.from("# Base64\n\nok").toString("base64"),
    });
    expect(good.status).toBe(202);
    expect(new TextDecoder().decode(await blobs.get("corpora/docs/docs/b64.md"))).toBe("# Base64\n\nok");
    expect((await blobs.list("corpora/docs/docs/")).map((b) => b.key)).toEqual([
      "corpora/docs/docs/b64.md",
      "corpora/docs/docs/guide/intro.md",
    ]);
  });
});

describe("corpus names per tenant", () => {
  it("lets every tenant use any name without touching or revealing another tenant's corpus", async () => {
    const { call, repo, blobs } = appWith(memoryBlobStore());
    // Tenant b takes "examples" first: it lives under b's own id, not the bare name the local tenant uses.
    expect((await upload(call, "a.md", "# A", {}, "key-b")).status).toBe(202);
    const b = await call("/v1/corpora/docs/documents", { body: { path: "x.md", content: "# X" }, key: "key-b" });
    expect(b.status).toBe(202);
    expect((await call("/v1/corpora/docs/documents", { body: { path: "y.md", content: "# Y" } })).status).toBe(202);
    const ids = (await repo.listCorpora()).map((c) => [c.name, c.tenant]);
    expect(ids).toEqual(
      expect.arrayContaining([
        ["docs", "local"],
        [corpusIdFor("b", "docs", "local"), "b"],
      ]),
    );
    expect(corpusIdFor("b", "docs", "local")).toMatch(/^docs\.[0-9a-f]{12}$/);

    // Each tenant sees its own corpus under its own name, and its documents are stored apart.
    expect(((await (await call("/v1/corpora/docs")).json()) as { name: string }).name).toBe("docs");
    expect(((await (await call("/v1/corpora/docs", { key: "key-b" })).json()) as { name: string }).name).toBe("docs");
    expect((await blobs.list("corpora/docs/")).map((o) => o.key)).toEqual(["corpora/docs/docs/y.md"]);
    expect(
      (await blobs.list(`corpora/${corpusIdFor("b", "docs", "local")}/`)).map((o) => o.key.split("/").pop()),
    ).toEqual(["a.md", "x.md"]);
    // A tenant that has no such corpus gets the same 404 whether or not others use the name.
    const unused = await call("/v1/corpora/nobody-uses-this", { key: "key-c" });
    const used = await call("/v1/corpora/docs", { key: "key-c" });
    expect([unused.status, used.status]).toEqual([404, 404]);
    expect((await problemOf(used)).detail).toBe('corpus "docs" not found');
    const runs = await call("/v1/corpora/docs/runs", { method: "POST", key: "key-b" });
    expect(runs.status).toBe(202);
    expect(((await runs.json()) as { corpus: string }).corpus).toBe("docs");
  });

  it("lists, deletes documents and deletes corpora by the tenant's own names, never another tenant's", async () => {
    const { call, blobs } = appWith(memoryBlobStore());
    const bId = corpusIdFor("b", "docs", "local");
    expect(
      (await call("/v1/corpora/docs/documents", { body: { path: "a.md", content: "# A" }, key: "key-b" })).status,
    ).toBe(202);
    expect((await call("/v1/corpora/docs/documents", { body: { path: "a.md", content: "# A" } })).status).toBe(202);
    expect((await call("/v1/corpora/docs/documents", { key: "key-b" })).status).toBe(200);
    expect((await call("/v1/corpora/docs/runs", { key: "key-b" })).status).toBe(200);
    expect((await call("/v1/corpora/docs/documents", { key: "key-c" })).status).toBe(404);

    // Tenant b deletes its document and then its corpus; the local tenant's corpus of the same name stays.
    expect((await call("/v1/corpora/docs/documents/a.md", { method: "DELETE", key: "key-b" })).status).toBe(200);
    expect(await blobs.head(`corpora/${bId}/docs/a.md`)).toBeNull();
    expect(await blobs.head("corpora/docs/docs/a.md")).not.toBeNull();
    const missing = await call("/v1/corpora/docs/documents/a.md", { method: "DELETE", key: "key-b" });
    expect(missing.status).toBe(404);
    expect((await problemOf(missing)).detail).toBe('document "a.md" not found in corpus "docs"');
    expect((await call("/v1/corpora/docs", { method: "DELETE", key: "key-c" })).status).toBe(404);
    const deleted = await call("/v1/corpora/docs", { method: "DELETE", key: "key-b" });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ corpus: "docs" });
    expect((await call("/v1/corpora/docs", { key: "key-b" })).status).toBe(404);
    expect((await call("/v1/corpora/docs")).status).toBe(200);
    expect(await blobs.head("corpora/docs/docs/a.md")).not.toBeNull();
  });
});

describe("a corpus id another tenant holds", () => {
  // A bare id owned by a tenant other than the default one: data stored before corpus ids were qualified
  // per tenant, or a runtime whose default tenant (GENQ_TENANT, GENQ_DEFAULT_TENANT) was changed.
  it("is not found for an upload, before its documents are looked at (a path clash would name them)", async () => {
    const { call, repo, blobs } = appWith(memoryBlobStore());
    await repo.putCorpus(corpusRecord("docs", "b"), null);
    await blobs.put("corpora/docs/docs/guide/private-plans.md", new TextEncoder().encode("# B's"));
    for (const path of ["guide", "guide/private-plans.md/x.md", "new.md"]) {
      const res = await upload(call, path);
      expect(res.status, path).toBe(404);
      const body = await problemOf(res);
      expect(body.detail).toBe('corpus "docs" not found');
    }
    expect((await blobs.list("corpora/docs/")).map((o) => o.key)).toEqual(["corpora/docs/docs/guide/private-plans.md"]);
  });
});

describe("server operations", () => {
  it("answers errors as RFC 9457 problem documents that keep the code and echo the request id", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger: Logger = { ...silentLogger, info: (m, a) => void lines.push({ msg: m, ...a }) };
    const { call } = appWith(memoryBlobStore(), { logger });
    const res = await call("/v1/corpora/missing", { headers: { "x-request-id": "trace-123" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toBe("trace-123");
    expect(await problemOf(res)).toMatchObject({
      code: "not_found",
      title: "Not found",
      detail: 'corpus "missing" not found',
      instance: "/v1/corpora/missing",
      requestId: "trace-123",
    });
    const fresh = await call("/health", { headers: {} });
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: "request",
        requestId: "trace-123",
        method: "GET",
        route: "/v1/corpora/:corpus",
        status: 404,
      }),
    );
    const unauthorized = await call("/v1/corpora", { key: "wrong" });
    expect(await problemOf(unauthorized)).toMatchObject({ code: "unauthorized", status: 401 });
  });

  it("answers 405 with Allow for a known path and the wrong method, and 404 for an unknown path", async () => {
    const { call } = appWith(memoryBlobStore());
    const res = await call("/v1/corpora/docs/search", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await problemOf(res)).code).toBe("method_not_allowed");
    expect((await call("/v1/nothing-here")).status).toBe(404);
  });

  it("refuses a body over the limit with 413 from Content-Length, before reading it", async () => {
    const { app } = appWith(memoryBlobStore(), { maxBodyBytes: 2048 });
    let pulled = 0;
    // A body that counts what is read of it: a refusal decided from the header reads none of it.
    const body = new ReadableStream({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
        if (pulled > 100) controller.close();
      },
    });
    const res = await app.request("/v1/corpora/docs/documents", {
      method: "POST",
      body,
      duplex: "half",
      headers: {
        authorization: "Bearer key-local",
        "content-type": "application/json",
        "content-length": String(100 * 1024 * 1024),
      },
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await problemOf(res)).detail).toMatch(/request body is over the 0\.0 MiB limit/);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it("answers 431 for an oversized API key", async () => {
    const { call } = appWith(memoryBlobStore());
    const res = await call("/v1/corpora", { key: "k".repeat(100_000) });
    expect(res.status).toBe(431);
    expect((await problemOf(res)).code).toBe("header_too_large");
  });

  it("compresses JSON for clients that accept gzip", async () => {
    const { call } = appWith(memoryBlobStore());
    const res = await call("/openapi.json", { headers: { "accept-encoding": "gzip" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const doc = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8")) as { openapi: string };
    expect(doc.openapi).toBe("3.1.0");
  });

  it("serves Prometheus metrics: requests by route and status, latency, runs, queue depth and dead letters", async () => {
    const { call } = appWith(memoryBlobStore());
    await call("/v1/corpora/nothing/search", { body: { query: "x" } });
    await upload(call, "a.md");
    await call("/v1/corpora/docs/runs", { method: "POST" });
    const res = await call("/metrics");
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(
      /genq_http_requests_total\{method="POST",route="\/v1\/corpora\/:corpus\/search",status="404"\} 1/,
    );
    expect(text).toMatch(
      /genq_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/corpora\/:corpus\/search"\}/,
    );
    expect(text).toMatch(/genq_runs_in_progress 1/);
    expect(text).toMatch(/genq_event_queue_depth 7/);
    expect(text).toMatch(/genq_dead_letters 2/);
    expect(text).toMatch(/genq_process_resident_memory_bytes/);
  });

  it("tells event-stream clients when to reconnect", async () => {
    const repo = memoryRepository();
    const app = createApp({
      repo,
      blobs: memoryBlobStore(),
      events: memoryBus(),
      index: scriptedSearchIndex(() => []),
      clock: systemClock,
      logger: silentLogger,
      encoderFor: async () => {
        throw new Error("unused");
      },
      reader,
      generator,
      authenticate: async () => "local",
      startRun: async () => {
        throw new Error("unused");
      },
      deleteCorpus: async () => {
        throw new Error("unused");
      },
      limits: { maxUploadBytes: 10 },
      defaultTenant: "local",
      eventFeed: { after: async () => [], last: async () => 0 },
    });
    const res = await app.request("/v1/events", { headers: { authorization: "Bearer k" } });
    const reader_ = res.body!.getReader();
    const first = new TextDecoder().decode((await reader_.read()).value);
    await reader_.cancel();
    expect(first).toContain("event: ready");
    expect(first).toContain("retry: 3000");
  });
});
