import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { corpusForTenant, corpusIdFor, corpusNameOf, NotFoundError, storeJudgments, uploadDocument, ValidationError, type Corpus } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { CorpusParam, RunParam, RunSchema, UploadRequest, errors } from "../schemas.ts";

const CorpusSummary = z
  .object({
    name: z.string(), documents: z.number(), files: z.number(), passages: z.number(),
    rejected: z.array(z.object({ path: z.string(), reason: z.string() })),
    runs: z.array(z.object({ id: z.string(), state: z.string(), reason: z.string().nullable(), createdAt: z.string() })),
    serving: z.object({ runId: z.string(), indexVersion: z.string(), modelId: z.string().nullable() }).nullable(),
  })
  .openapi("Corpus");

const listRoute = createRoute({ method: "get", path: "/v1/corpora", tags: ["corpora"], summary: "Your corpora", responses: { 200: { description: "corpora", content: { "application/json": { schema: z.object({ corpora: z.array(CorpusSummary) }) } } }, 401: errors[401] } });
const getRoute = createRoute({ method: "get", path: "/v1/corpora/{corpus}", tags: ["corpora"], summary: "Documents, passages, rejected files, runs and serving model", request: { params: CorpusParam }, responses: { 200: { description: "corpus", content: { "application/json": { schema: CorpusSummary } } }, 401: errors[401], 404: errors[404] } });
const uploadRoute = createRoute({
  method: "post", path: "/v1/corpora/{corpus}/documents", tags: ["corpora"], summary: "Upload a document (the same path as dropping a file into the bucket)",
  request: { params: CorpusParam, body: { content: { "application/json": { schema: UploadRequest } }, required: true } },
  responses: { 202: { description: "accepted: it will be chunked", content: { "application/json": { schema: z.object({ key: z.string(), size: z.number() }) } } }, ...errors },
});
const judgmentsRoute = createRoute({
  method: "put", path: "/v1/corpora/{corpus}/judgments", tags: ["corpora"], summary: "Real queries with relevance judgments (BEIR queries.jsonl + qrels.tsv), for evaluation only",
  request: { params: CorpusParam, body: { content: { "application/json": { schema: z.object({ queries: z.string().min(1).max(10_000_000), qrels: z.string().min(1).max(10_000_000) }).strict().openapi("Judgments") } }, required: true } },
  responses: { 200: { description: "stored; the next run reports on them", content: { "application/json": { schema: z.object({ queries: z.number() }) } } }, ...errors },
});
const startRunRoute = createRoute({ method: "post", path: "/v1/corpora/{corpus}/runs", tags: ["runs"], summary: "Start a run (generate, train, index, evaluate)", request: { params: CorpusParam }, responses: { 202: { description: "started", content: { "application/json": { schema: RunSchema } } }, ...errors } });
const getRunRoute = createRoute({ method: "get", path: "/v1/runs/{run}", tags: ["runs"], summary: "A run's state and history", request: { params: RunParam }, responses: { 200: { description: "run", content: { "application/json": { schema: RunSchema } } }, 401: errors[401], 404: errors[404] } });
const reportRoute = createRoute({
  method: "get", path: "/v1/runs/{run}/report", tags: ["runs"], summary: "A run's evaluation report: JSON, or HTML when Accept asks for text/html",
  request: { params: RunParam },
  responses: { 200: { description: "report", content: { "application/json": { schema: z.record(z.string(), z.unknown()) }, "text/html": { schema: z.string() } } }, 401: errors[401], 404: errors[404] },
});

async function summary(deps: ApiDeps, corpus: Corpus) {
  const docs = await deps.repo.listDocuments(corpus.name);
  const runs = await deps.repo.listRuns(corpus.name);
  const index = corpus.servingIndexVersion ? await deps.repo.getIndexVersion(corpus.servingIndexVersion) : null;
  return {
    name: corpusNameOf(corpus.name),
    files: docs.length,
    documents: docs.reduce((n, d) => n + (d.status === "chunked" ? d.documentCount : 0), 0),
    passages: docs.reduce((n, d) => n + d.passageCount, 0),
    rejected: docs.filter((d) => d.status === "rejected").map((d) => ({ path: d.path, reason: d.reason ?? "" })),
    runs: runs.map((r) => ({ id: r.id, state: r.state, reason: r.reason, createdAt: r.createdAt })),
    serving: corpus.servingRunId && corpus.servingIndexVersion ? { runId: corpus.servingRunId, indexVersion: corpus.servingIndexVersion, modelId: index?.modelId ?? null } : null,
  };
}

const runView = (r: Awaited<ReturnType<ApiDeps["repo"]["getRun"]>> & object) => ({
  id: r.id, corpus: corpusNameOf(r.corpus), state: r.state, reason: r.reason, createdAt: r.createdAt, updatedAt: r.updatedAt,
  artifacts: Object.fromEntries(Object.entries(r.artifacts).filter(([, v]) => typeof v === "string")) as Record<string, string>,
  history: r.history,
});

// Standard base64 (RFC 4648 §4), line breaks allowed as MIME writes them; anything else is refused, not guessed at.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of an upload's content; invalid base64 is a 400 naming the field. */
function uploadBytes(content: string, encoding: "utf8" | "base64"): Uint8Array {
  if (encoding === "utf8") return new TextEncoder().encode(content);
  const compact = content.replace(/\r?\n/g, "");
  if (!BASE64.test(compact)) throw new ValidationError("content: not valid base64 (RFC 4648: A-Z, a-z, 0-9, '+', '/', '=' padding to a multiple of 4 characters)");
  return Uint8Array.from(Buffer.from(compact, "base64"));
}

/** Corpus, upload and run routes. Corpus names in paths are the tenant's own; corpusIdFor finds where they live. */
export function registerCorpusRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  const idOf = (tenant: string, name: string) => corpusIdFor(tenant, name, deps.defaultTenant);
  const tenantRun = async (tenant: string, id: string) => {
    const run = await deps.repo.getRun(id);
    if (!run || run.tenant !== tenant) throw new NotFoundError(`run "${id}" not found`);
    return run;
  };
  app.openapi(listRoute, async (c) => c.json({ corpora: await Promise.all((await deps.repo.listCorpora(c.get("tenant"))).map((x) => summary(deps, x))) }, 200));
  app.openapi(getRoute, async (c) => c.json(await summary(deps, await corpusForTenant(deps.repo, c.get("tenant"), idOf(c.get("tenant"), c.req.valid("param").corpus))), 200));
  app.openapi(uploadRoute, async (c) => {
    const tenant = c.get("tenant");
    const body = c.req.valid("json");
    const bytes = uploadBytes(body.content, body.encoding);
    const stored = await uploadDocument(deps, { tenant, corpus: idOf(tenant, c.req.valid("param").corpus), path: body.path, bytes, maxBytes: deps.limits.maxUploadBytes });
    return c.json({ key: stored.key, size: stored.size }, 202);
  });
  app.openapi(judgmentsRoute, async (c) => {
    const corpus = idOf(c.get("tenant"), c.req.valid("param").corpus);
    await corpusForTenant(deps.repo, c.get("tenant"), corpus);
    return c.json(await storeJudgments(deps, { corpus, ...c.req.valid("json") }), 200);
  });
  app.openapi(startRunRoute, async (c) => {
    const corpus = idOf(c.get("tenant"), c.req.valid("param").corpus);
    await corpusForTenant(deps.repo, c.get("tenant"), corpus);
    return c.json(runView(await deps.startRun({ tenant: c.get("tenant"), corpus })), 202);
  });
  app.openapi(getRunRoute, async (c) => c.json(runView(await tenantRun(c.get("tenant"), c.req.valid("param").run)), 200));
  app.openapi(reportRoute, async (c) => {
    const run = await tenantRun(c.get("tenant"), c.req.valid("param").run);
    if (!run.artifacts.reportKey) throw new NotFoundError(`run "${run.id}" has no report yet (it is ${run.state})`);
    const wantsHtml = (c.req.header("accept") ?? "").includes("text/html");
    const key = wantsHtml ? run.artifacts.reportKey.replace(/\.json$/, ".html") : run.artifacts.reportKey;
    const body = new TextDecoder().decode(await deps.blobs.get(key));
    return wantsHtml ? c.html(body, 200) : c.body(body, 200, { "content-type": "application/json; charset=utf-8" });
  });
}
