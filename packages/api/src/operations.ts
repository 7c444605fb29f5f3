import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { matchedRoutes } from "hono/route";
import type { ApiDeps, AppEnv } from "./deps.ts";
import { problemResponse } from "./errors.ts";
import { createApiMetrics } from "./metrics.ts";

/** API keys longer than this are refused with 431 (real keys are under 100 characters). */
export const MAX_API_KEY_CHARS = 4096;

/** The default request body limit: an upload of the largest document, base64-encoded, plus room for JSON. */
export const defaultMaxBodyBytes = (maxUploadBytes: number) => Math.ceil((maxUploadBytes * 4) / 3) + 64 * 1024;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * What every request goes through before its route, registered first:
 * - a request id (`X-Request-Id`: the caller's when it is a plain token, else a new UUID), echoed in the
 *   response and in every log line and problem document of the request;
 * - one structured log line per request (method, route pattern, status, duration) through the Logger port;
 * - request counts and latencies for `/metrics` (Prometheus text, when the runtime gives a MetricsSource);
 * - gzip or deflate for compressible responses (never for the event stream);
 * - 405 with `Allow` for a known path asked with the wrong method;
 * - 413 for a body over `limits.maxBodyBytes`, decided from Content-Length before the body is read
 *   (a chunked body is cut off as soon as it passes the limit);
 * - 431 for an API key longer than MAX_API_KEY_CHARS.
 */
export function registerOperations(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  const metrics = deps.metrics ? createApiMetrics(deps.repo, deps.metrics) : null;
  const maxBodyBytes = deps.limits.maxBodyBytes ?? defaultMaxBodyBytes(deps.limits.maxUploadBytes);

  app.use("*", requestId());
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const route =
      matchedRoutes(c)
        .filter((r) => r.method !== "ALL")
        .at(-1)?.path ?? "unmatched";
    const seconds = (performance.now() - started) / 1000;
    metrics?.observeRequest(c.req.method, route, c.res.status, seconds);
    deps.logger.info("request", {
      requestId: c.get("requestId"),
      method: c.req.method,
      route,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round(seconds * 10_000) / 10,
    });
  });
  app.use("*", compress());
  app.use(
    "*",
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        problemResponse(
          c,
          "method_not_allowed",
          405,
          `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(", ")}`,
          { Allow: methods.join(", ") },
        ),
    }),
  );
  app.use("/v1/*", async (c, next) => {
    const key = c.req.header("authorization") ?? c.req.header("x-api-key") ?? "";
    if (key.length > MAX_API_KEY_CHARS)
      return problemResponse(
        c,
        "header_too_large",
        431,
        `the API key header is ${key.length} characters; keys are at most ${MAX_API_KEY_CHARS}`,
      );
    await next();
  });
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) =>
        problemResponse(
          c,
          "payload_too_large",
          413,
          `request body is over the ${mib(maxBodyBytes)} limit${deps.limits.maxUploadBytes < maxBodyBytes ? ` (documents may be at most ${mib(deps.limits.maxUploadBytes)})` : ""}; upload large files with POST /v1/corpora/{corpus}/uploads where the store offers upload URLs`,
        ),
    }),
  );
  if (metrics) {
    // Listed in the OpenAPI document where it is served, like every other route.
    app.openAPIRegistry.registerPath(
      createRoute({
        method: "get",
        path: "/metrics",
        operationId: "getMetrics",
        tags: ["service"],
        summary: "Prometheus metrics: requests by route and status, latency, runs, queue depth, dead letters",
        security: [],
        responses: {
          200: {
            description: "Prometheus text exposition format (totals over every tenant, no corpus names)",
            content: { "text/plain": { schema: z.string() } },
          },
        },
      }),
    );
    app.get("/metrics", async (c) => c.body(await metrics.render(), 200, { "content-type": metrics.contentType }));
  }
}
