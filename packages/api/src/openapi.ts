import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./deps.ts";
import { problemOf } from "./schemas.ts";

const TAGS = [
  { name: "search", description: "Search, extractive QA and cited answers over a corpus" },
  { name: "corpora", description: "Corpora, their documents and judged queries" },
  { name: "runs", description: "Runs of the pipeline: generate queries, train, index, evaluate, promote" },
  { name: "reports", description: "Evaluation reports, comparisons of runs and per-query exports" },
  { name: "events", description: "Live stage events" },
  { name: "keys", description: "Your tenant's API keys" },
  { name: "service", description: "Liveness, this document, the web console and the API reference" },
];

const page = (summary: string, path: string, operationId: string) =>
  createRoute({
    method: "get",
    path,
    operationId,
    tags: ["service"],
    summary,
    security: [],
    responses: {
      200: { description: "an HTML page", content: { "text/html": { schema: z.string() } } },
      503: {
        description: "the console was not built (see its message)",
        content: { "text/plain": { schema: z.string() } },
      },
    },
  });
const file = (summary: string, path: string, operationId: string) =>
  createRoute({
    method: "get",
    path,
    operationId,
    tags: ["service"],
    summary,
    security: [],
    request: { params: z.object({ file: z.string().openapi({ param: { name: "file", in: "path" } }) }) },
    responses: {
      200: {
        description: "the file (gzip when the client accepts it; strong ETag)",
        content: { "application/octet-stream": { schema: z.string() } },
      },
      304: { description: "not modified" },
      404: problemOf("no such file"),
    },
  });

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  tags: ["service"],
  summary: "Liveness",
  security: [],
  responses: {
    200: {
      description: "the server answers",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
  },
});

/**
 * The OpenAPI 3.1 document at `/openapi.json` — every route, operation ids, this server as `servers`,
 * both ways to send a key as security schemes — and `/health`. The console's pages and files are
 * listed too (no key needed), so the document names every path the app answers.
 */
export function registerOpenApi(app: OpenAPIHono<AppEnv>) {
  app.openapi(healthRoute, (c) => c.json({ status: "ok" as const }, 200));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "Authorization: Bearer <API key>",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description: "the API key in the x-api-key header",
  });
  app.openAPIRegistry.registerPath(page("The web console", "/", "getConsole"));
  app.openAPIRegistry.registerPath(
    page("The API reference (Swagger UI over this document)", "/docs", "getApiReference"),
  );
  app.openAPIRegistry.registerPath(file("A file of the web console", "/assets/{file}", "getConsoleAsset"));
  app.openAPIRegistry.registerPath(file("A file of the API reference", "/docs/{file}", "getApiReferenceAsset"));
  app.openAPIRegistry.registerPath(
    createRoute({
      method: "get",
      path: "/openapi.json",
      operationId: "getOpenApiDocument",
      tags: ["service"],
      summary: "This OpenAPI document",
      security: [],
      responses: {
        200: {
          description: "the document",
          content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
        },
      },
    }),
  );
  const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];
  const config = {
    openapi: "3.1.0",
    info: {
      title: "genq",
      version: "0.1.0",
      description:
        "Domain-tuned semantic search, extractive QA and cited answers over your documents. Every `/v1` route needs an API key, sent as `Authorization: Bearer <key>` or `x-api-key`.",
      license: { name: "MIT", url: "https://opensource.org/license/mit" },
    },
    // Relative: the API and the console share one origin, wherever the app is reached from.
    servers: [{ url: "/", description: "this server" }],
    security,
    tags: TAGS,
  };
  // Built on the first request, once every route is registered; the document never changes afterwards.
  let document: ReturnType<typeof app.getOpenAPI31Document> | null = null;
  app.get("/openapi.json", (c) => c.json((document ??= withOtherErrors(app.getOpenAPI31Document(config)))));
}

/**
 * Every `/v1` operation also answers statuses it does not list (405 for a wrong method, 413 for a body over
 * the limit, 431 for an oversized key, 500, 503): the document says so with a `default` response, a problem
 * document like every other error.
 */
function withOtherErrors<D extends { paths?: object }>(doc: D): D {
  const other = {
    description: "any other error (405, 413, 431, 500, 503, ...)",
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  };
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, object>)) {
    if (!path.startsWith("/v1/")) continue;
    for (const op of Object.values(item) as Array<{ responses?: Record<string, unknown> }>)
      if (op.responses && !op.responses.default) op.responses.default = other;
  }
  return doc;
}
