import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { corpusForTenant, NotFoundError, storeJudgments, uploadDocument, type Corpus } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { CorpusParam, RunParam, RunSchema, RunSummarySchema, UploadRequest, errors } from "../schemas.ts";

const ServingSchema = z.object({ runId: z.string(), indexVersion: z.string(), modelId: z.string().nullable() });
const CorpusListItem = z
  .object({
    name: z.string(), createdAt: z.string(),
    serving: z.object({ runId: z.string(), indexVersion: z.string() }).nullable(),
    activeRunId: z.string().nullable().openapi({ description: "the run in progress, if any" }),
    deleting: z.boolean().openapi({ description: "true while the corpus is being deleted" }),
  })
  .openapi("CorpusListItem");
const CorpusDetail = z
  .object({
    name: z.string(), createdAt: z.string(),
    files: z.number(), documents: z.number(), passages: z.number(),
    rejectedFiles: z.number().openapi({ description: "files that could not be ingested; their reasons: GET …/documents?state=rejected" }),
    serving: ServingSchema.nullable(),
    servedPassages: z.number().openapi({ description: "passages the serving index holds" }),
    untrainedPassages: z.number().openapi({ description: "of those, passages of documents added or changed since the serving model's run (searchable, not trained on)" }),
    untrainedShare: z.number().openapi({ description: "untrainedPassages / servedPassages (0 when nothing serves)" }),
    activeRunId: z.string().nullable(),
    recentRuns: z.array(RunSummarySchema).openapi({ description: "the five newest runs; all of them with GET /v1/corpora/{corpus}/runs" }),
  })
  .openapi("Corpus");

const listRoute = createRoute({ method: "get", path: "/v1/corpora", tags: ["corpora"], summary: "Your corpora (no documents or runs: see each corpus)", responses: { 200: { description: "corpora", content: { "application/json": { schema: z.object({ corpora: z.array(CorpusListItem) }) } } }, 401: errors[401] } });
const getRoute = createRoute({ method: "get", path: "/v1/corpora/{corpus}", tags: ["corpora"], summary: "Counts of files, documents and passages, what serves and how much of it is untrained, the newest runs", request: { params: CorpusParam }, responses: { 200: { description: "corpus", content: { "application/json": { schema: CorpusDetail } } }, 401: errors[401], 404: errors[404] } });
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

const listItem = (c: Corpus) => ({
  name: c.name, createdAt: c.createdAt, serving: c.servingRunId && c.servingIndexVersion ? { runId: c.servingRunId, indexVersion: c.servingIndexVersion } : null,
  activeRunId: c.activeRunId ?? null, deleting: Boolean(c.deletingSince),
});

async function detail(deps: ApiDeps, corpus: Corpus) {
  const stats = await deps.repo.documentStats(corpus.name);
  const counts = { files: stats.files, documents: stats.documents, passages: stats.passages, rejectedFiles: stats.rejectedFiles };
  const version = await deps.index.servingVersion(corpus.name);
  const served = version ? await deps.index.counts(version) : { passages: 0, untrained: 0 };
  const index = corpus.servingIndexVersion ? await deps.repo.getIndexVersion(corpus.servingIndexVersion) : null;
  const runs = await deps.repo.listRunsPage(corpus.name, { limit: 5 });
  return {
    name: corpus.name, createdAt: corpus.createdAt, ...counts,
    serving: corpus.servingRunId && corpus.servingIndexVersion ? { runId: corpus.servingRunId, indexVersion: corpus.servingIndexVersion, modelId: index?.modelId ?? null } : null,
    servedPassages: served.passages, untrainedPassages: served.untrained, untrainedShare: served.passages ? served.untrained / served.passages : 0,
    activeRunId: corpus.activeRunId ?? null,
    recentRuns: runs.items.map(runSummary),
  };
}

export const runSummary = (r: { id: string; state: string; reason: string | null; createdAt: string; updatedAt: string }) => ({ id: r.id, state: r.state, reason: r.reason, createdAt: r.createdAt, updatedAt: r.updatedAt });

const runView = (r: Awaited<ReturnType<ApiDeps["repo"]["getRun"]>> & object) => ({
  id: r.id, corpus: r.corpus, state: r.state, reason: r.reason, createdAt: r.createdAt, updatedAt: r.updatedAt,
  artifacts: Object.fromEntries(Object.entries(r.artifacts).filter(([, v]) => typeof v === "string")) as Record<string, string>,
  history: r.history,
});

/** Corpus, upload and run routes. */
export function registerCorpusRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  const tenantRun = async (tenant: string, id: string) => {
    const run = await deps.repo.getRun(id);
    if (!run || run.tenant !== tenant) throw new NotFoundError(`run "${id}" not found`);
    return run;
  };
  app.openapi(listRoute, async (c) => c.json({ corpora: (await deps.repo.listCorpora(c.get("tenant"))).sort((a, b) => a.name.localeCompare(b.name)).map(listItem) }, 200));
  app.openapi(getRoute, async (c) => c.json(await detail(deps, await corpusForTenant(deps.repo, c.get("tenant"), c.req.valid("param").corpus)), 200));
  app.openapi(uploadRoute, async (c) => {
    const { corpus } = c.req.valid("param");
    const body = c.req.valid("json");
    const bytes = body.encoding === "base64" ? Uint8Array.from(Buffer.from(body.content, "base64")) : new TextEncoder().encode(body.content);
    const existing = await deps.repo.getCorpus(corpus);
    if (existing && existing.tenant !== c.get("tenant")) throw new NotFoundError(`corpus "${corpus}" not found`);
    return c.json(await uploadDocument(deps, { tenant: c.get("tenant"), corpus, path: body.path, bytes, maxBytes: deps.limits.maxUploadBytes, metadata: body.metadata }), 202);
  });
  app.openapi(judgmentsRoute, async (c) => {
    const { corpus } = c.req.valid("param");
    await corpusForTenant(deps.repo, c.get("tenant"), corpus);
    return c.json(await storeJudgments(deps, { corpus, ...c.req.valid("json") }), 200);
  });
  app.openapi(startRunRoute, async (c) => {
    const { corpus } = c.req.valid("param");
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
