import { describe, expect, it } from "vitest";
import { createApp, type ApiDeps } from "@genq/api";
import { silentLogger, systemClock } from "@genq/core";

describe("the OpenAPI document", () => {
  it("lists every route the app serves, with its method", async () => {
    const app = createApp({ logger: silentLogger, clock: systemClock, limits: { maxUploadBytes: 1 }, authenticate: async () => null } as unknown as ApiDeps);
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    // Hono's `:name` and `:name{regex}` parameters are OpenAPI's `{name}`.
    const served = app.routes
      .filter((r) => r.method !== "ALL" && r.path !== "/openapi.json")
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`);
    const listed = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
    expect(served.length).toBeGreaterThan(15);
    expect([...new Set(served)].sort()).toEqual([...new Set(listed)].sort());
    expect(listed).toEqual(expect.arrayContaining([
      "delete /v1/corpora/{corpus}", "delete /v1/corpora/{corpus}/documents/{path}", "get /v1/corpora/{corpus}/documents", "get /v1/corpora/{corpus}/runs",
      "get /v1/keys", "post /v1/keys", "delete /v1/keys/{id}", "get /v1/events", "get /health",
    ]));
  });
});
