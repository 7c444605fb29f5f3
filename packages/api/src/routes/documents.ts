import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { corpusForTenant, deleteDocument, NotFoundError, type DocumentRecord } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { CorpusParam, ErrorSchema, MetadataSchema, PageQuery, RunSummarySchema, errors } from "../schemas.ts";
import { runSummary } from "./corpora.ts";

const DocumentSchema = z
  .object({
    path: z.string(), size: z.number(),
    documents: z.number().openapi({ description: "documents in the file (a BEIR corpus.jsonl holds many)" }),
    passages: z.number(),
    state: z.enum(["chunked", "rejected"]),
    reason: z.string().nullable().openapi({ description: "why the file was rejected (null when chunked)" }),
    metadata: MetadataSchema,
    updatedAt: z.string(),
  })
  .openapi("Document");

const listDocumentsRoute = createRoute({
  method: "get", path: "/v1/corpora/{corpus}/documents", tags: ["documents"], summary: "The corpus's documents in path order, a page at a time",
  request: { params: CorpusParam, query: PageQuery.extend({ state: z.enum(["chunked", "rejected"]).optional().openapi({ param: { name: "state", in: "query" }, description: "only documents in this state, e.g. the rejected files with their reasons" }) }) },
  responses: { 200: { description: "a page of documents; `next` fetches the following one", content: { "application/json": { schema: z.object({ documents: z.array(DocumentSchema), next: z.string().nullable() }) } } }, ...errors },
});
const listRunsRoute = createRoute({
  method: "get", path: "/v1/corpora/{corpus}/runs", tags: ["runs"], summary: "The corpus's runs, newest first, a page at a time",
  request: { params: CorpusParam, query: PageQuery },
  responses: { 200: { description: "a page of runs; `next` fetches the following one", content: { "application/json": { schema: z.object({ runs: z.array(RunSummarySchema), next: z.string().nullable() }) } } }, ...errors },
});
const deleteCorpusRoute = createRoute({
  method: "delete", path: "/v1/corpora/{corpus}", tags: ["corpora"],
  summary: "Delete a corpus with everything it owns: documents, passages, runs, index versions, models and their endpoints (refused while a run is in progress)",
  request: { params: CorpusParam },
  responses: { 200: { description: "deleted", content: { "application/json": { schema: z.object({ corpus: z.string(), runs: z.number(), objects: z.number() }) } } }, ...errors },
});
// The document's path may hold slashes: Hono matches it with `{.+}`; the OpenAPI document names it as one parameter.
const deleteDocumentRoute = {
  method: "delete" as const, path: "/v1/corpora/{corpus}/documents/{path}", tags: ["documents"],
  summary: "Delete a document: its passages leave the serving index at once and no later run trains on them",
  request: { params: CorpusParam.extend({ path: z.string().min(1).openapi({ param: { name: "path", in: "path" }, description: "the document's path in the corpus, slashes included (or URL-encoded)", example: "guides/vacuum.md" }) }) },
  responses: { 200: { description: "deleted", content: { "application/json": { schema: z.object({ path: z.string(), deleted: z.literal(true) }) } } }, 404: { description: "no such document (or corpus)", content: { "application/json": { schema: ErrorSchema } } }, 400: errors[400], 401: errors[401] },
};

const documentView = (d: DocumentRecord) => ({
  path: d.path, size: d.size, documents: d.documentCount, passages: d.passageCount, state: d.status, reason: d.reason, metadata: d.metadata ?? {}, updatedAt: d.updatedAt,
});

/** Document and run lists with cursors; deleting a document or a whole corpus. */
export function registerDocumentRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  app.openapi(listDocumentsRoute, async (c) => {
    const corpus = await corpusForTenant(deps.repo, c.get("tenant"), c.req.valid("param").corpus);
    const { limit, cursor, state } = c.req.valid("query");
    const page = await deps.repo.listDocumentsPage(corpus.name, { limit, cursor, status: state });
    return c.json({ documents: page.items.map(documentView), next: page.next }, 200);
  });
  app.openapi(listRunsRoute, async (c) => {
    const corpus = await corpusForTenant(deps.repo, c.get("tenant"), c.req.valid("param").corpus);
    const { limit, cursor } = c.req.valid("query");
    const page = await deps.repo.listRunsPage(corpus.name, { limit, cursor });
    return c.json({ runs: page.items.map(runSummary), next: page.next }, 200);
  });
  app.openapi(deleteCorpusRoute, async (c) => {
    const { corpus } = c.req.valid("param");
    return c.json({ corpus, ...(await deps.deleteCorpus({ tenant: c.get("tenant"), corpus })) }, 200);
  });
  app.openAPIRegistry.registerPath(deleteDocumentRoute);
  app.delete("/v1/corpora/:corpus/documents/:path{.+}", async (c) => {
    const parsed = deleteDocumentRoute.request.params.safeParse({ corpus: c.req.param("corpus"), path: c.req.param("path") });
    if (!parsed.success) return c.json({ error: { code: "validation_failed", message: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") } }, 400);
    const { corpus, path } = parsed.data;
    const outcome = await deleteDocument(deps, { tenant: c.get("tenant"), corpus, path });
    if (outcome === "missing") throw new NotFoundError(`document "${path}" not found in corpus "${corpus}"`);
    return c.json({ path, deleted: true as const }, 200);
  });
}
