import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { corpusForTenant, corpusIdFor, corpusNameOf, NotFoundError, storeJudgments, uploadDocument, ValidationError, type Corpus } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { CorpusParam, RunParam, RunSchema, UploadRequest, errors } from "../schemas.ts";

const CorpusSummary = z
  .object({
    name: z.string(), documents: z.number(), files: z.number(), passages: z.number(),
    rejected: z.array(z.object({ path: z.string(), reason: z.string() })),
    runs: z.array(z.object({ id: z.string(), state: z.string(), reason: z.string().nullable(), createdAt: z.string() })),
    serving: z.object({
      runId: z.string(), indexVersion: z.string(), modelId: z.string().nullable(),
      setup: z.object({ name: z.string(), weights: z.object({ lexical: z.number(), sparse: z.number(), semantic: z.number() }) }).nullable().openapi({ description: "how the serving index answers searches (null: hybrid with the default weights)" }),
    }).nullable(),
    activeRunId: z.string().nullable().openapi({ description: "the run in progress, if any" }),
  })
  .openapi("Corpus");

const DocumentRow = z
  .object({ path: z.string(), status: z.enum(["chunked", "rejected"]), reason: z.string().nullable(), size: z.number(), documents: z.number(), passages: z.number(), updatedAt: z.string() })
  .openapi("DocumentRow");

const listRoute = createRoute({ method: "get", path: "/v1/corpora", operationId: "listCorpora", tags: ["corpora"], summary: "Your corpora", responses: { 200: { description: "corpora", content: { "application/json": { schema: z.object({ corpora: z.array(CorpusSummary) }) } } }, 401: errors[401] } });
const getRoute = createRoute({ method: "get", path: "/v1/corpora/{corpus}", operationId: "getCorpus", tags: ["corpora"], summary: "Documents, passages, rejected files, runs and serving model", request: { params: CorpusParam }, responses: { 200: { description: "corpus", content: { "application/json": { schema: CorpusSummary } } }, 401: errors[401], 404: errors[404] } });
const uploadRoute = createRoute({
  method: "post", path: "/v1/corpora/{corpus}/documents", operationId: "uploadDocument", tags: ["corpora"], summary: "Upload a document (the same path as dropping a file into the bucket)",
  request: { params: CorpusParam, body: { content: { "application/json": { schema: UploadRequest } }, required: true } },
  responses: { 202: { description: "accepted: it will be chunked", content: { "application/json": { schema: z.object({ key: z.string(), size: z.number() }) } } }, ...errors },
});
const judgmentsRoute = createRoute({
  method: "put", path: "/v1/corpora/{corpus}/judgments", operationId: "putJudgments", tags: ["corpora"], summary: "Real queries with relevance judgments (BEIR queries.jsonl + qrels.tsv), for evaluation only",
  request: { params: CorpusParam, body: { content: { "application/json": { schema: z.object({ queries: z.string().min(1).max(10_000_000), qrels: z.string().min(1).max(10_000_000) }).strict().openapi("Judgments") } }, required: true } },
  responses: { 200: { description: "stored; the next run reports on them", content: { "application/json": { schema: z.object({ queries: z.number() }) } } }, ...errors },
});
const startRunRoute = createRoute({ method: "post", path: "/v1/corpora/{corpus}/runs", operationId: "startRun", tags: ["runs"], summary: "Start a run (generate, train, index, evaluate)", request: { params: CorpusParam }, responses: { 202: { description: "started", content: { "application/json": { schema: RunSchema } } }, ...errors } });
const getRunRoute = createRoute({ method: "get", path: "/v1/runs/{run}", operationId: "getRun", tags: ["runs"], summary: "A run's state and history", request: { params: RunParam }, responses: { 200: { description: "run", content: { "application/json": { schema: RunSchema } } }, 401: errors[401], 404: errors[404] } });
const documentsRoute = createRoute({
  method: "get", path: "/v1/corpora/{corpus}/documents", operationId: "listDocuments", tags: ["corpora"], summary: "The corpus's files, chunked or rejected with the reason, by path (paged with a cursor)",
  request: {
    params: CorpusParam,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      cursor: z.string().max(2000).optional().openapi({ description: "the `next` of the previous page" }),
    }),
  },
  responses: { 200: { description: "a page of documents", content: { "application/json": { schema: z.object({ documents: z.array(DocumentRow), next: z.string().nullable() }) } } }, 400: errors[400], 401: errors[401], 404: errors[404] },
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
    serving: corpus.servingRunId && corpus.servingIndexVersion ? { runId: corpus.servingRunId, indexVersion: corpus.servingIndexVersion, modelId: index?.modelId ?? null, setup: corpus.servingSetup } : null,
    activeRunId: corpus.activeRunId,
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
  app.openapi(documentsRoute, async (c) => {
    const { corpus } = c.req.valid("param");
    const { limit, cursor } = c.req.valid("query");
    await corpusForTenant(deps.repo, c.get("tenant"), corpus);
    const after = cursor ? Buffer.from(cursor, "base64url").toString("utf8") : "";
    const docs = (await deps.repo.listDocuments(corpus)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).filter((d) => d.path > after);
    const page = docs.slice(0, limit);
    return c.json({
      documents: page.map((d) => ({ path: d.path, status: d.status, reason: d.reason, size: d.size, documents: d.documentCount, passages: d.passageCount, updatedAt: d.updatedAt })),
      next: docs.length > limit ? Buffer.from(page.at(-1)!.path, "utf8").toString("base64url") : null,
    }, 200);
  });
}
