import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type ApiDeps } from "@genq/api";
import { silentLogger, systemClock, type BlobStore, type PipelineRepository } from "@genq/core";
import { createS3BlobStore } from "@genq/aws";
import { lambdaHttpLimits } from "@genq/functions";
import { createFolderBlobStore, createSqlitePipelineRepository, openDatabase } from "@genq/local";
import { startS3rver, type Emulator } from "../contracts/emulators.ts";
import { s3rverClient } from "../aws-sim/fixtures.ts";

const BUCKET = "genq-uploads";
let s3rver: Emulator;
beforeAll(async () => {
  s3rver = await startS3rver(BUCKET);
}, 60_000);
afterAll(() => s3rver?.stop());

function app(blobs: BlobStore, limits: ApiDeps["limits"] = { maxUploadBytes: 1024 * 1024 }) {
  const repo: PipelineRepository = createSqlitePipelineRepository(openDatabase(":memory:"));
  const unused = () => Promise.reject(new Error("not used here"));
  const deps = {
    repo,
    blobs,
    events: { publish: async () => [] },
    index: {} as never,
    clock: systemClock,
    logger: silentLogger,
    encoderFor: unused,
    reader: {} as never,
    generator: {} as never,
    authenticate: async (key: string) => ({ "key-acme": "acme", "key-other": "other" })[key] ?? null,
    startRun: unused,
    limits,
    defaultTenant: "acme",
  } as unknown as ApiDeps;
  const http = createApp(deps);
  const post = (path: string, body: unknown, key = "key-acme", headers: Record<string, string> = {}) =>
    http.request(path, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { repo, post };
}

describe("presigned uploads", () => {
  it("hands out a PUT URL bound to the file's size and type, and the file lands where an S3 drop would", async () => {
    const blobs = createS3BlobStore(s3rverClient(s3rver.endpoint), BUCKET);
    const { repo, post } = app(blobs, { maxUploadBytes: 1024, maxDocumentBytes: 10 * 1024 * 1024 });
    const file = new TextEncoder().encode("# Big manual\n\nVACUUM reclaims storage. ".repeat(2000));
    const res = await post("/v1/corpora/manuals/uploads", {
      path: "guides/big manual.md",
      size: file.length,
      contentType: "text/markdown",
    });
    expect(res.status).toBe(200);
    const upload = (await res.json()) as {
      url: string;
      method: string;
      headers: Record<string, string>;
      key: string;
      expiresAt: string;
    };
    expect(upload).toMatchObject({
      method: "PUT",
      key: "corpora/manuals/docs/guides/big manual.md",
      headers: { "content-type": "text/markdown", "content-length": String(file.length) },
    });
    expect(Date.parse(upload.expiresAt) - Date.now()).toBeGreaterThan(14 * 60 * 1000);
    // Signed headers must come with the request exactly as signed, so S3 refuses a body of another size or
    // type (Amazon S3 API reference, "Authenticating Requests: Using Query Parameters (AWS Signature
    // Version 4)"). s3rver does not check signatures, so the test checks what was signed.
    expect(new URL(upload.url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    // The corpus belongs to the caller before the object arrives, so its chunking lands in that tenant's corpus.
    expect(await repo.getCorpus("manuals")).toMatchObject({ tenant: "acme" });
    const put = await fetch(upload.url, { method: "PUT", headers: { "content-type": "text/markdown" }, body: file });
    expect(put.status).toBe(200);
    expect((await blobs.get(upload.key)).length).toBe(file.length);
  });

  it("refuses what it cannot sign or should not (over the size limit, a path leaving the corpus), and keeps tenants' corpora apart", async () => {
    const { post } = app(createS3BlobStore(s3rverClient(s3rver.endpoint), BUCKET), {
      maxUploadBytes: 1024,
      maxDocumentBytes: 5000,
    });
    const over = await post("/v1/corpora/manuals/uploads", { path: "a.pdf", size: 5001 });
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({
      code: "validation_failed",
      error: { code: "validation_failed", message: "size: 5001 bytes, the limit is 5000" },
    });
    expect((await post("/v1/corpora/manuals/uploads", { path: "../escape.md", size: 10 })).status).toBe(400);
    expect((await post("/v1/corpora/manuals/uploads", { path: "a.md", size: 10 }, "key-acme")).status).toBe(200);
    // Another tenant's "manuals" is its own corpus: its upload never lands in acme's.
    const other = await post("/v1/corpora/manuals/uploads", { path: "a.md", size: 10 }, "key-other");
    expect(other.status).toBe(200);
    expect(((await other.json()) as { key: string }).key).toMatch(/^corpora\/manuals\.[0-9a-f]{12}\/docs\/a\.md$/);
  });

  it("answers 501 with the way that works where the store has no upload URLs (the local folder)", async () => {
    const { post } = app(createFolderBlobStore(mkdtempSync(join(tmpdir(), "genq-uploads-"))));
    const res = await post("/v1/corpora/manuals/uploads", { path: "a.md", size: 10 });
    expect(res.status).toBe(501);
    expect(await res.json()).toMatchObject({
      code: "not_implemented",
      error: { code: "not_implemented", message: expect.stringContaining("POST /v1/corpora/manuals/documents") },
    });
  });
});

describe("request size on Lambda", () => {
  // A synchronous Lambda invocation carries at most 6 MB (AWS Lambda developer guide, "Lambda quotas").
  it("refuses a body over the limit with 413 before reading it, and keeps room for a base64 document", async () => {
    const limits = lambdaHttpLimits(50);
    expect(limits.maxBodyBytes).toBeLessThan(6 * 1024 * 1024);
    expect(Math.ceil(limits.maxUploadBytes / 3) * 4 + 200).toBeLessThan(limits.maxBodyBytes);
    expect(limits.maxDocumentBytes).toBe(50 * 1024 * 1024);
    const { post } = app(createFolderBlobStore(mkdtempSync(join(tmpdir(), "genq-uploads-"))), {
      ...limits,
      maxBodyBytes: 4096,
    });
    const big = JSON.stringify({ path: "a.md", content: "x".repeat(5000) });
    const refused = await post("/v1/corpora/manuals/documents", big);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({
      code: "payload_too_large",
      status: 413,
      error: { code: "payload_too_large", message: expect.stringContaining("POST /v1/corpora/{corpus}/uploads") },
    });
    expect(
      (await post("/v1/corpora/manuals/documents", { path: "a.md", content: "VACUUM reclaims storage." })).status,
    ).toBe(202);
  });
});
