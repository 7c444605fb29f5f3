import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { testApp } from "./test-app.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
type Doc = {
  servers: Array<{ url: string }>;
  components: { securitySchemes: Record<string, { type: string }> };
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>;
};

async function openapi(): Promise<Doc> {
  return (await (await testApp({ metrics: true }).app.request("/openapi.json")).json()) as Doc;
}

describe("the OpenAPI document", () => {
  it("lists every route the app answers, each with a unique operationId", async () => {
    const { app } = testApp({ metrics: true });
    const doc = await openapi();
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    // Hono's own route table, middleware left out; `:param` and `:param{regex}` are OpenAPI's `{param}`.
    const served = new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`),
    );
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
    for (const must of [
      "GET /v1/events",
      "GET /health",
      "GET /docs",
      "GET /v1/runs/{run}/results/{file}",
      "DELETE /v1/corpora/{corpus}",
      "DELETE /v1/corpora/{corpus}/documents/{path}",
      "GET /v1/corpora/{corpus}/documents",
      "GET /v1/corpora/{corpus}/runs",
      "GET /v1/keys",
      "POST /v1/keys",
      "DELETE /v1/keys/{id}",
      "GET /metrics",
    ])
      expect(documented).toContain(must);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("names its server and both ways to send a key; public paths need none", async () => {
    const doc = await openapi();
    expect(doc.servers).toEqual([{ url: "/", description: "this server" }]);
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: "http", scheme: "bearer" },
      apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
    });
    for (const path of ["/health", "/", "/docs", "/openapi.json", "/metrics"])
      expect(doc.paths[path]!.get!.security).toEqual([]);
    expect(doc.paths["/v1/corpora"]!.get!.security).toBeUndefined();
  });

  // Redocly CLI (github.com/Redocly/redocly-cli) with its recommended-strict rules (redocly.yaml), the
  // ignore file naming each exception and its reason (.redocly.lint-ignore.yaml).
  it("is clean under Redocly's OpenAPI linter", async () => {
    const dir = mkdtempSync(join(tmpdir(), "genq-openapi-"));
    writeFileSync(join(dir, "openapi.json"), JSON.stringify(await openapi(), null, 2));
    for (const f of ["redocly.yaml", ".redocly.lint-ignore.yaml"]) copyFileSync(join(ROOT, f), join(dir, f));
    const r = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/@redocly/cli/bin/cli.js"), "lint", "openapi.json", "--format", "stylish"],
      {
        cwd: dir,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
      },
    );
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\b(error|warning)\b.*\brule\b/i);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
});
