import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import {
  cancelRun,
  corpusForTenant,
  corpusIdFor,
  corpusNameOf,
  NotFoundError,
  storeJudgments,
  uploadDocument,
  ValidationError,
  type Corpus,
} from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import {
  CorpusParam,
  RunParam,
  RunSchema,
  RunSummarySchema,
  UploadRequest,
  documentErrors,
  errors,
} from "../schemas.ts";

const SetupSchema = z
  .object({ name: z.string(), weights: z.object({ lexical: z.number(), sparse: z.number(), semantic: z.number() }) })
  .nullable()
  .openapi({ description: "how the serving index answers searches (null: hybrid with the default weights)" });
const ServingSchema = z.object({
  runId: z.string(),
  indexVersion: z.string(),
  modelId: z.string().nullable(),
  setup: SetupSchema,
});
const CorpusListItem = z
  .object({
    name: z.string(),
    createdAt: z.string(),
    files: z.number(),
    documents: z.number(),
    passages: z.number(),
    rejectedFiles: z
      .number()
      .openapi({ description: "files that could not be ingested; their reasons: GET …/documents?status=rejected" }),
    serving: z.object({ runId: z.string(), indexVersion: z.string(), setup: SetupSchema }).nullable(),
    activeRunId: z.string().nullable().openapi({ description: "the run in progress, if any" }),
    latestRun: RunSummarySchema.nullable().openapi({ description: "the newest run, if any" }),
    deleting: z.boolean().openapi({ description: "true while the corpus is being deleted" }),
  })
  .openapi("CorpusListItem");
const CorpusDetail = z
  .object({
    name: z.string(),
    createdAt: z.string(),
    files: z.number(),
    documents: z.number(),
    passages: z.number(),
    rejectedFiles: z
      .number()
      .openapi({ description: "files that could not be ingested; their reasons: GET …/documents?status=rejected" }),
    serving: ServingSchema.nullable(),
    servedPassages: z.number().openapi({ description: "passages the serving index holds" }),
    untrainedPassages: z.number().openapi({
      description:
        "of those, passages of documents added or changed since the serving model's run (searchable, not trained on)",
    }),
    untrainedShare: z.number().openapi({ description: "untrainedPassages / servedPassages (0 when nothing serves)" }),
    activeRunId: z.string().nullable().openapi({ description: "the run in progress, if any" }),
    recentRuns: z
      .array(RunSummarySchema)
      .openapi({ description: "the five newest runs; all of them with GET /v1/corpora/{corpus}/runs" }),
  })
  .openapi("Corpus");

const listRoute = createRoute({
  method: "get",
  path: "/v1/corpora",
  operationId: "listCorpora",
  tags: ["corpora"],
  summary:
    "Your corpora with their counts, what serves them and their newest run (documents and runs: see each corpus)",
  responses: {
    200: {
      description: "corpora",
      content: { "application/json": { schema: z.object({ corpora: z.array(CorpusListItem) }) } },
    },
    401: errors[401],
  },
});
const getRoute = createRoute({
  method: "get",
  path: "/v1/corpora/{corpus}",
  operationId: "getCorpus",
  tags: ["corpora"],
  summary: "Counts of files, documents and passages, what serves and how much of it is untrained, the newest runs",
  request: { params: CorpusParam },
  responses: {
    200: { description: "corpus", content: { "application/json": { schema: CorpusDetail } } },
    401: errors[401],
    404: errors[404],
  },
});
const uploadRoute = createRoute({
  method: "post",
  path: "/v1/corpora/{corpus}/documents",
  operationId: "uploadDocument",
  tags: ["corpora"],
  summary: "Upload a document (the same path as dropping a file into the bucket)",
  request: {
    params: CorpusParam,
    body: { content: { "application/json": { schema: UploadRequest } }, required: true },
  },
  responses: {
    202: {
      description: "accepted: it will be chunked",
      content: { "application/json": { schema: z.object({ key: z.string(), size: z.number() }) } },
    },
    ...errors,
    ...documentErrors,
  },
});
const judgmentsRoute = createRoute({
  method: "put",
  path: "/v1/corpora/{corpus}/judgments",
  operationId: "putJudgments",
  tags: ["corpora"],
  summary: "Real queries with relevance judgments (BEIR queries.jsonl + qrels.tsv), for evaluation only",
  request: {
    params: CorpusParam,
    body: {
      content: {
        "application/json": {
          schema: z
            .object({ queries: z.string().min(1).max(10_000_000), qrels: z.string().min(1).max(10_000_000) })
            .strict()
            .openapi("Judgments"),
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: "stored; the next run reports on them",
      content: { "application/json": { schema: z.object({ queries: z.number() }) } },
    },
    ...errors,
  },
});
const startRunRoute = createRoute({
  method: "post",
  path: "/v1/corpora/{corpus}/runs",
  operationId: "startRun",
  tags: ["runs"],
  summary: "Start a run (generate, train, index, evaluate)",
  request: { params: CorpusParam },
  responses: { 202: { description: "started", content: { "application/json": { schema: RunSchema } } }, ...errors },
});
const getRunRoute = createRoute({
  method: "get",
  path: "/v1/runs/{run}",
  operationId: "getRun",
  tags: ["runs"],
  summary: "A run's state and history",
  request: { params: RunParam },
  responses: {
    200: { description: "run", content: { "application/json": { schema: RunSchema } } },
    401: errors[401],
    404: errors[404],
  },
});

const cancelRunRoute = createRoute({
  method: "post",
  path: "/v1/runs/{run}/cancel",
  operationId: "cancelRun",
  tags: ["runs"],
  summary: "Cancel a run in progress",
  description:
    "The run's current stage fails with the reason `cancelled on request`; the run ends `failed`, its corpus is free for the next run and what it made (its index version and model) is given back. Refused (409) for a run that has ended or is promoting its index.",
  request: { params: RunParam },
  responses: {
    202: {
      description: "cancelling: the run ends failed shortly (the run as it was)",
      content: { "application/json": { schema: RunSchema } },
    },
    401: errors[401],
    404: errors[404],
    409: errors[409],
  },
});

async function listItem(deps: ApiDeps, corpus: Corpus) {
  const stats = await deps.repo.documentStats(corpus.name);
  const latest = await deps.repo.listRunsPage(corpus.name, { limit: 1 });
  return {
    name: corpusNameOf(corpus.name),
    createdAt: corpus.createdAt,
    files: stats.files,
    documents: stats.documents,
    passages: stats.passages,
    rejectedFiles: stats.rejectedFiles,
    serving:
      corpus.servingRunId && corpus.servingIndexVersion
        ? { runId: corpus.servingRunId, indexVersion: corpus.servingIndexVersion, setup: corpus.servingSetup }
        : null,
    activeRunId: corpus.activeRunId ?? null,
    latestRun: latest.items[0] ? runSummary(latest.items[0]) : null,
    deleting: Boolean(corpus.deletingSince),
  };
}

async function detail(deps: ApiDeps, corpus: Corpus) {
  const stats = await deps.repo.documentStats(corpus.name);
  const counts = {
    files: stats.files,
    documents: stats.documents,
    passages: stats.passages,
    rejectedFiles: stats.rejectedFiles,
  };
  const version = await deps.index.servingVersion(corpus.name);
  const served = version ? await deps.index.counts(version) : { passages: 0, untrained: 0 };
  const index = corpus.servingIndexVersion ? await deps.repo.getIndexVersion(corpus.servingIndexVersion) : null;
  const runs = await deps.repo.listRunsPage(corpus.name, { limit: 5 });
  return {
    name: corpusNameOf(corpus.name),
    createdAt: corpus.createdAt,
    ...counts,
    serving:
      corpus.servingRunId && corpus.servingIndexVersion
        ? {
            runId: corpus.servingRunId,
            indexVersion: corpus.servingIndexVersion,
            modelId: index?.modelId ?? null,
            setup: corpus.servingSetup,
          }
        : null,
    servedPassages: served.passages,
    untrainedPassages: served.untrained,
    untrainedShare: served.passages ? served.untrained / served.passages : 0,
    activeRunId: corpus.activeRunId ?? null,
    recentRuns: runs.items.map(runSummary),
  };
}

export const runSummary = (r: {
  id: string;
  state: string;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}) => ({ id: r.id, state: r.state, reason: r.reason, createdAt: r.createdAt, updatedAt: r.updatedAt });

const runView = (r: Awaited<ReturnType<ApiDeps["repo"]["getRun"]>> & object) => ({
  id: r.id,
  corpus: corpusNameOf(r.corpus),
  state: r.state,
  reason: r.reason,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  artifacts: Object.fromEntries(Object.entries(r.artifacts).filter(([, v]) => typeof v === "string")) as Record<
    string,
    string
  >,
  history: r.history,
});

// Standard base64 (RFC 4648 §4), line breaks allowed as MIME writes them; anything else is refused, not guessed at.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of an upload's content; invalid base64 is a 400 naming the field. */
function uploadBytes(content: string, encoding: "utf8" | "base64"): Uint8Array {
  if (encoding === "utf8") return new TextEncoder().encode(content);
  const compact = content.replace(/\r?\n/g, "");
  if (!BASE64.test(compact))
    throw new ValidationError(
      "content: not valid base64 (RFC 4648: A-Z, a-z, 0-9, '+', '/', '=' padding to a multiple of 4 characters)",
    );
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
  app.openapi(listRoute, async (c) => {
    const corpora = (await deps.repo.listCorpora(c.get("tenant"))).sort((a, b) => a.name.localeCompare(b.name));
    return c.json({ corpora: await Promise.all(corpora.map((x) => listItem(deps, x))) }, 200);
  });
  app.openapi(getRoute, async (c) =>
    c.json(
      await detail(
        deps,
        await corpusForTenant(deps.repo, c.get("tenant"), idOf(c.get("tenant"), c.req.valid("param").corpus)),
      ),
      200,
    ),
  );
  app.openapi(uploadRoute, async (c) => {
    const tenant = c.get("tenant");
    const body = c.req.valid("json");
    const bytes = uploadBytes(body.content, body.encoding);
    const stored = await uploadDocument(deps, {
      tenant,
      corpus: idOf(tenant, c.req.valid("param").corpus),
      path: body.path,
      bytes,
      maxBytes: deps.limits.maxUploadBytes,
      metadata: body.metadata,
    });
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
  app.openapi(cancelRunRoute, async (c) => {
    const run = await tenantRun(c.get("tenant"), c.req.valid("param").run);
    return c.json(runView(await cancelRun(deps, run.id)), 202);
  });
  app.openapi(getRunRoute, async (c) =>
    c.json(runView(await tenantRun(c.get("tenant"), c.req.valid("param").run)), 200),
  );
}
