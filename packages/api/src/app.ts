import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { UnauthorizedError } from "@genq/core";
import type { ApiDeps, AppEnv } from "./deps.ts";
import { errorResponse, validationResponse } from "./errors.ts";
import { registerCorpusRoutes } from "./routes/corpora.ts";
import { registerDocumentRoutes } from "./routes/documents.ts";
import { registerKeyRoutes } from "./routes/keys.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerSearchRoutes } from "./routes/search.ts";
import { registerUploadRoutes } from "./routes/uploads.ts";

/**
 * The genq HTTP app, runtime-agnostic: the local CLI serves it with Node's HTTP server and Lambda
 * serves it behind API Gateway. Every `/v1` route needs an API key (`Authorization: Bearer <key>` or
 * `x-api-key`); the tenant comes from the key, never from the request.
 */
export function createApp(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: (result, c) => (result.success ? undefined : validationResponse(c, result.error.issues)) });

  app.onError((error, c) => errorResponse(c, error, deps.logger));
  app.notFound((c) => c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` } }, 404));

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.openAPIRegistry.registerPath({ method: "get", path: "/health", tags: ["service"], summary: "Liveness (no API key needed)", security: [], responses: { 200: { description: "the service is up" } } });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "genq", version: "0.1.0", description: "Domain-tuned semantic search, extractive QA and cited answers over your documents." },
    security: [{ apiKey: [] }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", { type: "http", scheme: "bearer" });

  const maxRequestBytes = deps.limits.maxRequestBytes;
  if (maxRequestBytes) {
    // Checked on Content-Length before anything reads the body (hono/body-limit counts streamed bodies too).
    app.use("/v1/*", bodyLimit({
      maxSize: maxRequestBytes,
      onError: (c) => c.json({ error: { code: "payload_too_large", message: `request body over ${(maxRequestBytes / 1024 / 1024).toFixed(1)} MB; upload large files with POST /v1/corpora/{corpus}/uploads (a presigned URL)` } }, 413),
    }));
  }
  app.use("/v1/*", async (c, next) => {
    const header = c.req.header("authorization");
    const key = header?.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : c.req.header("x-api-key");
    const tenant = key ? await deps.authenticate(key) : null;
    if (!tenant) throw new UnauthorizedError();
    c.set("tenant", tenant);
    await next();
  });
  app.use("/v1/*", async (c, next) => {
    if ((c.req.method === "POST" || c.req.method === "PUT") && !(c.req.header("content-type") ?? "").includes("application/json") && !c.req.path.endsWith("/runs") && c.req.path !== "/v1/keys") {
      return c.json({ error: { code: "validation_failed", message: "body: send JSON with Content-Type: application/json" } }, 400);
    }
    await next();
  });

  registerSearchRoutes(app, deps);
  registerCorpusRoutes(app, deps);
  registerDocumentRoutes(app, deps);
  registerKeyRoutes(app, deps);
  registerUploadRoutes(app, deps);
  registerEventRoutes(app, deps);
  return app;
}
