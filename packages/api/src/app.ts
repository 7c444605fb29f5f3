import { OpenAPIHono } from "@hono/zod-openapi";
import { UnauthorizedError } from "@genq/core";
import type { ApiDeps, AppEnv } from "./deps.ts";
import { registerCors } from "./cors.ts";
import { errorResponse, problemResponse, validationResponse } from "./errors.ts";
import { registerOpenApi } from "./openapi.ts";
import { registerOperations } from "./operations.ts";
import { registerCorpusRoutes } from "./routes/corpora.ts";
import { registerDocumentRoutes } from "./routes/documents.ts";
import { registerEventRoutes, type StreamTiming } from "./routes/events.ts";
import { registerKeyRoutes } from "./routes/keys.ts";
import { registerReportRoutes } from "./routes/reports.ts";
import { registerSearchRoutes } from "./routes/search.ts";
import { registerUploadRoutes } from "./routes/uploads.ts";
import { registerStatic } from "./static.ts";

/**
 * The genq HTTP app, runtime-agnostic: the local CLI serves it with Node's HTTP server and Lambda
 * serves it behind API Gateway. Every `/v1` route needs an API key (`Authorization: Bearer <key>` or
 * `x-api-key`); the tenant comes from the key, never from the request.
 */
export function createApp(deps: ApiDeps, options: { streamTiming?: StreamTiming } = {}) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => (result.success ? undefined : validationResponse(c, result.error.issues)),
  });

  app.onError((error, c) => errorResponse(c, error, deps.logger));
  app.notFound((c) => problemResponse(c, "not_found", 404, `no route for ${c.req.method} ${c.req.path}`));
  // CORS first, so a browser's preflight is answered before method, size and key checks.
  registerCors(app, deps.corsOrigins);
  registerOperations(app, deps);
  registerOpenApi(app);
  registerStatic(app);

  app.use("/v1/*", async (c, next) => {
    const header = c.req.header("authorization");
    const key = header?.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : c.req.header("x-api-key");
    const tenant = key ? await deps.authenticate(key) : null;
    if (!tenant) throw new UnauthorizedError();
    c.set("tenant", tenant);
    c.set("apiKey", key!);
    await next();
  });
  app.use("/v1/*", async (c, next) => {
    if (
      (c.req.method === "POST" || c.req.method === "PUT") &&
      !(c.req.header("content-type") ?? "").includes("application/json") &&
      !c.req.path.endsWith("/runs") &&
      !c.req.path.endsWith("/cancel") &&
      c.req.path !== "/v1/keys"
    ) {
      return problemResponse(c, "validation_failed", 400, "body: send JSON with Content-Type: application/json");
    }
    await next();
  });

  registerSearchRoutes(app, deps);
  registerCorpusRoutes(app, deps);
  registerDocumentRoutes(app, deps);
  registerUploadRoutes(app, deps);
  registerEventRoutes(app, deps, options.streamTiming);
  registerReportRoutes(app, deps);
  registerKeyRoutes(app, deps);
  return app;
}
