import { createHash, randomBytes } from "node:crypto";
import type { ApiKeyInfo, ApiKeyStore } from "@genq/core";
import type { SqliteDatabase } from "./sqlite.ts";

const SCHEMA = `CREATE TABLE IF NOT EXISTS api_keys (hash TEXT PRIMARY KEY, tenant TEXT NOT NULL, created_at TEXT NOT NULL);`;
const hash = (key: string) => createHash("sha256").update(key).digest("hex");
/** A key's id: the start of its hash (enough to tell keys apart, useless to authenticate with). */
export const API_KEY_ID_LENGTH = 12;

/**
 * API keys mapped to tenants, stored as SHA-256 hashes (a key is shown once, when it is made). Every
 * request looks its key up (a primary-key read), so a key revoked by any process is refused at once.
 */
export function createSqliteApiKeys(db: SqliteDatabase) {
  db.exec(SCHEMA);
  const lookup = db.prepare<[string], { tenant: string }>("SELECT tenant FROM api_keys WHERE hash = ?");
  const upsert = db.prepare("INSERT INTO api_keys (hash, tenant, created_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO UPDATE SET tenant = excluded.tenant");
  const all = db.prepare<[], { hash: string; tenant: string; created_at: string }>("SELECT hash, tenant, created_at FROM api_keys ORDER BY created_at, hash");
  const byTenant = db.prepare<[string], { hash: string; tenant: string; created_at: string }>("SELECT hash, tenant, created_at FROM api_keys WHERE tenant = ? ORDER BY created_at, hash");
  const info = (r: { hash: string; tenant: string; created_at: string }): ApiKeyInfo => ({ id: r.hash.slice(0, API_KEY_ID_LENGTH), tenant: r.tenant, createdAt: r.created_at });
  const keys = {
    /** Make a new key for a tenant; the only time the key itself is visible. */
    create(tenant: string): string {
      const key = `gq_${randomBytes(24).toString("base64url")}`;
      keys.register(key, tenant);
      return key;
    },
    /** Accept a key chosen elsewhere (e.g. GENQ_API_KEY) for a tenant. */
    register(key: string, tenant: string): ApiKeyInfo {
      upsert.run(hash(key), tenant, new Date().toISOString());
      return info({ hash: hash(key), tenant, created_at: (db.prepare("SELECT created_at FROM api_keys WHERE hash = ?").get(hash(key)) as { created_at: string }).created_at });
    },
    tenantOf(key: string): string | null {
      return lookup.get(hash(key))?.tenant ?? null;
    },
    count(tenant: string): number {
      return (db.prepare("SELECT count(*) AS n FROM api_keys WHERE tenant = ?").get(tenant) as { n: number }).n;
    },
    /** The keys of a tenant (all tenants' without one), oldest first. */
    list(tenant?: string): ApiKeyInfo[] {
      return (tenant === undefined ? all.all() : byTenant.all(tenant)).map(info);
    },
    /** Revoke the key with this id (of this tenant, when given); false when there is none. */
    revoke(id: string, tenant?: string): boolean {
      if (!/^[0-9a-f]{12}$/.test(id)) return false;
      const match = keys.list(tenant).filter((k) => k.id === id);
      if (match.length !== 1) return false;
      return db.prepare("DELETE FROM api_keys WHERE substr(hash, 1, ?) = ? AND tenant = ?").run(API_KEY_ID_LENGTH, id, match[0]!.tenant).changes === 1;
    },
    /** The same keys behind the ApiKeyStore port. */
    store(): ApiKeyStore {
      return {
        create: async (tenant) => {
          const key = keys.create(tenant);
          return { key, info: info({ hash: hash(key), tenant, created_at: keys.list(tenant).find((k) => k.id === hash(key).slice(0, API_KEY_ID_LENGTH))!.createdAt }) };
        },
        register: async (key, tenant) => keys.register(key, tenant),
        tenantOf: async (key) => keys.tenantOf(key),
        list: async (tenant) => keys.list(tenant),
        revoke: async (id, tenant) => keys.revoke(id, tenant),
      };
    },
  };
  return keys;
}
