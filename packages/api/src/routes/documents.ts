import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import {
  corpusForTenant,
  corpusIdFor,
  deleteDocument,
  NotFoundError,
  ValidationError,
  type DocumentRecord,
} from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { CorpusParam, MetadataSchema, PageQuery, RunSummarySchema, errors, problemOf } from "../schemas.ts";
import { runSummary } from "./corpora.ts";

const DocumentRow = z
  .object({
    path: z.string(),
    status: z.enum(["chunked", "rejected"]),
    reason: z.string().nullable().openapi({ description: "why the file was rejected (null when chunked)" }),
    size: z.number(),
    documents: z.number().openapi({ description: "documents in the file (a BEIR corpus.jsonl holds many)" }),
    passages: z.number(),
    metadata: MetadataSchema,
    notes: z
      .array(z.string())
      .optional()
      .openapi({ description: "what ingesting it noticed: the encoding it was decoded from, lines skipped" }),
    updatedAt: z.string(),
  })
  .openapi("DocumentRow");

const listDocumentsRoute = createRoute({
  method: "get",
  path: "/v1/corpora/{corpus}/documents",
  operationId: "listDocuments",
  tags: ["corpora"],
  summary:
    "The corpus's files in path order, chunked or rejected with the reason, a page at a time (paged with a cursor)",
  request: {
    params: CorpusParam,
    query: PageQuery.extend({
      status: z
        .enum(["chunked", "rejected"])
        .optional()
        .openapi({
          param: { name: "status", in: "query" },
          description: "only files in this state, e.g. the rejected files with their reasons",
        }),
    }),
  },
  responses: {
    200: {
      description: "a page of documents; `next` fetches the following one",
      content: {
        "application/json": { schema: z.object({ documents: z.array(DocumentRow), next: z.string().nullable() }) },
      },
    },
    400: errors[400],
    401: errors[401],
    404: errors[404],
  },
});
const listRunsRoute = createRoute({
  method: "get",
  path: "/v1/corpora/{corpus}/runs",
  operationId: "listRuns",
  tags: ["runs"],
  summary: "The corpus's runs, newest first, a page at a time",
  request: { params: CorpusParam, query: PageQuery },
  responses: {
    200: {
      description: "a page of runs; `next` fetches the following one",
      content: {
        "application/json": { schema: z.object({ runs: z.array(RunSummarySchema), next: z.string().nullable() }) },
      },
    },
    400: errors[400],
    401: errors[401],
    404: errors[404],
  },
});
const deleteCorpusRoute = createRoute({
  method: "delete",
  path: "/v1/corpora/{corpus}",
  operationId: "deleteCorpus",
  tags: ["corpora"],
  summary:
    "Delete a corpus with everything it owns: documents, passages, runs, index versions, models and their endpoints (refused while a run is in progress)",
  request: { params: CorpusParam },
  responses: {
    200: {
      description: "deleted",
      content: {
        "application/json": { schema: z.object({ corpus: z.string(), runs: z.number(), objects: z.number() }) },
      },
    },
    ...errors,
  },
});
const DocumentParams = CorpusParam.extend({
  path: z
    .string()
    .min(1)
    .openapi({
      param: { name: "path", in: "path" },
      description: "the document's path in the corpus, slashes included (or URL-encoded)",
      example: "guides/vacuum.md",
    }),
});
// The document's path may hold slashes: Hono matches it with `{.+}`; the OpenAPI document names it as one parameter.
const deleteDocumentRoute = createRoute({
  method: "delete",
  path: "/v1/corpora/{corpus}/documents/{path}",
  operationId: "deleteDocument",
  tags: ["corpora"],
  summary: "Delete a document: its passages leave the serving index at once and no later run trains on them",
  request: { params: DocumentParams },
  responses: {
    200: {
      description: "deleted",
      content: { "application/json": { schema: z.object({ path: z.string(), deleted: z.literal(true) }) } },
    },
    400: errors[400],
    401: errors[401],
    404: problemOf("no such document (or corpus)"),
  },
});

const documentRow = (d: DocumentRecord) => ({
  path: d.path,
  status: d.status,
  reason: d.reason,
  size: d.size,
  documents: d.documentCount,
  passages: d.passageCount,
  metadata: d.metadata ?? {},
  ...(d.notes?.length ? { notes: d.notes } : {}),
  updatedAt: d.updatedAt,
});

/** Document and run lists with cursors; deleting a document or a whole corpus. Corpus names in paths are the tenant's own. */
export function registerDocumentRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  const idOf = (tenant: string, name: string) => corpusIdFor(tenant, name, deps.defaultTenant);
  app.openapi(listDocumentsRoute, async (c) => {
    const tenant = c.get("tenant");
    const corpus = await corpusForTenant(deps.repo, tenant, idOf(tenant, c.req.valid("param").corpus));
    const { limit, cursor, status } = c.req.valid("query");
    const page = await deps.repo.listDocumentsPage(corpus.name, { limit, cursor, status });
    return c.json({ documents: page.items.map(documentRow), next: page.next }, 200);
  });
  app.openapi(listRunsRoute, async (c) => {
    const tenant = c.get("tenant");
    const corpus = await corpusForTenant(deps.repo, tenant, idOf(tenant, c.req.valid("param").corpus));
    const { limit, cursor } = c.req.valid("query");
    const page = await deps.repo.listRunsPage(corpus.name, { limit, cursor });
    return c.json({ runs: page.items.map(runSummary), next: page.next }, 200);
  });
  app.openapi(deleteCorpusRoute, async (c) => {
    const tenant = c.get("tenant");
    const { corpus } = c.req.valid("param");
    return c.json({ corpus, ...(await deps.deleteCorpus({ tenant, corpus: idOf(tenant, corpus) })) }, 200);
  });
  // Registered for the OpenAPI document only; the handler below matches paths with slashes.
  app.openAPIRegistry.registerPath(deleteDocumentRoute);
  app.delete("/v1/corpora/:corpus/documents/:path{.+}", async (c) => {
    const parsed = DocumentParams.safeParse({ corpus: c.req.param("corpus"), path: c.req.param("path") });
    if (!parsed.success)
      throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    const tenant = c.get("tenant");
    const { corpus, path } = parsed.data;
    const outcome = await deleteDocument(deps, { tenant, corpus: idOf(tenant, corpus), path });
    if (outcome === "missing") throw new NotFoundError(`document "${path}" not found in corpus "${corpus}"`);
    return c.json({ path, deleted: true as const }, 200);
  });
}
