import { createHash, randomBytes } from "node:crypto";
import type { SqliteDatabase } from "./sqlite.ts";

const SCHEMA = `CREATE TABLE IF NOT EXISTS api_keys (hash TEXT PRIMARY KEY, tenant TEXT NOT NULL, created_at TEXT NOT NULL);`;
const hash = (key: string) => createHash("sha256").update(key).digest("hex");

/**
 * API keys mapped to tenants, stored as SHA-256 hashes (a key is shown once, when it is made).
 */
export function createSqliteApiKeys(db: SqliteDatabase) {
  db.exec(SCHEMA);
  const lookup = db.prepare("SELECT tenant FROM api_keys WHERE hash = ?");
  // Known keys are remembered (hashing and a lookup per request add up under load); unknown ones are not.
  const known = new Map<string, string>();
  return {
    /** Make a new key for a tenant; the only time the key itself is visible. */
    create(tenant: string): string {
      const key = `gq_${randomBytes(24).toString("base64url")}`;
      this.register(key, tenant);
      return key;
    },
    /** Accept a key chosen elsewhere (e.g. GENQ_API_KEY) for a tenant. */
    register(key: string, tenant: string): void {
      known.delete(key);
      db.prepare("INSERT INTO api_keys (hash, tenant, created_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO UPDATE SET tenant = excluded.tenant").run(hash(key), tenant, new Date().toISOString());
    },
    tenantOf(key: string): string | null {
      const cached = known.get(key);
      if (cached) return cached;
      const tenant = (lookup.get(hash(key)) as { tenant: string } | undefined)?.tenant ?? null;
      if (tenant && known.size < 10_000) known.set(key, tenant);
      return tenant;
    },
    count(tenant: string): number {
      return (db.prepare("SELECT count(*) AS n FROM api_keys WHERE tenant = ?").get(tenant) as { n: number }).n;
    },
  };
}
