import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSqliteApiKeys } from "@genq/local";
import { loadConfig } from "./config.ts";
import { createLocalDeps, type LocalDeps } from "./local-deps.ts";
import { createLocalApp } from "./serve.ts";

let deps: LocalDeps | undefined;
afterEach(() => {
  deps?.close();
  deps = undefined;
  vi.unstubAllEnvs();
});

describe("GENQ_API_KEY", () => {
  it("is accepted for the local tenant, and a key of another tenant is refused rather than moved", async () => {
    deps = createLocalDeps(
      loadConfig({ GENQ_LOG_LEVEL: "silent" }, { data: mkdtempSync(join(tmpdir(), "genq-keys-")) }),
    );
    const keys = createSqliteApiKeys(deps.db);
    const bKey = keys.create("b");

    vi.stubEnv("GENQ_API_KEY", bKey);
    expect(() => createLocalApp(deps!)).toThrow(
      'GENQ_API_KEY: that API key belongs to tenant "b", not "local"; choose another key',
    );
    // Tenant b's clients keep their own tenant: the key did not start reading the local tenant's corpora.
    expect(keys.tenantOf(bKey)).toBe("b");

    vi.stubEnv("GENQ_API_KEY", "gq_chosen-for-scripts");
    const { app } = createLocalApp(deps);
    createLocalApp(deps); // a second server process registers it again
    const res = await app.request("/v1/keys", { headers: { authorization: "Bearer gq_chosen-for-scripts" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { keys: Array<{ tenant: string }> }).keys.map((k) => k.tenant)).toEqual(["local"]);
  });
});
