import { createHash, randomBytes } from "node:crypto";
import type { SqliteDatabase } from "./sqlite.ts";

const SCHEMA = `CREATE TABLE IF NOT EXISTS api_keys (hash TEXT PRIMARY KEY, tenant TEXT NOT NULL, created_at TEXT NOT NULL);`;
const hash = (key: string) => createHash("sha256").update(key).digest("hex");
/** A key's public name: the first 16 hex digits of its hash (what lists show and revocation takes). */
const idOfHash = (h: string) => h.slice(0, 16);
/** How long a process trusts a remembered key before looking again (a key revoked elsewhere stops within this). */
const REMEMBER_MS = 1000;

/**
 * API keys mapped to tenants, stored as SHA-256 hashes (a key is shown once, when it is made).
 */
export function createSqliteApiKeys(db: SqliteDatabase) {
  db.exec(SCHEMA);
  const lookup = db.prepare("SELECT tenant FROM api_keys WHERE hash = ?");
  // Known keys are remembered briefly (hashing and a lookup per request add up under load); unknown ones are not.
  const known = new Map<string, { tenant: string; at: number }>();
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
      if (cached && Date.now() - cached.at < REMEMBER_MS) return cached.tenant;
      const tenant = (lookup.get(hash(key)) as { tenant: string } | undefined)?.tenant ?? null;
      if (!tenant) known.delete(key);
      else if (known.size < 10_000 || known.has(key)) known.set(key, { tenant, at: Date.now() });
      return tenant;
    },
    /** A tenant's keys by id, oldest first. */
    list(tenant: string): Array<{ id: string; createdAt: string }> {
      const rows = db.prepare("SELECT hash, created_at FROM api_keys WHERE tenant = ? ORDER BY created_at, hash").all(tenant) as Array<{ hash: string; created_at: string }>;
      return rows.map((r) => ({ id: idOfHash(r.hash), createdAt: r.created_at }));
    },
    /** Revoke a tenant's key by id; refused at once in this process, within a second in the others. False when there is none. */
    revoke(tenant: string, id: string): boolean {
      if (!/^[0-9a-f]{16}$/.test(id)) return false;
      const removed = db.prepare("DELETE FROM api_keys WHERE tenant = ? AND substr(hash, 1, 16) = ?").run(tenant, id).changes > 0;
      if (removed) for (const [key, v] of known) if (v.tenant === tenant && idOfHash(hash(key)) === id) known.delete(key);
      return removed;
    },
    idOf: (key: string) => idOfHash(hash(key)),
    count(tenant: string): number {
      return (db.prepare("SELECT count(*) AS n FROM api_keys WHERE tenant = ?").get(tenant) as { n: number }).n;
    },
  };
}
