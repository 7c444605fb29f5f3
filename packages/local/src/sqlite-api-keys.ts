import { createHash, randomBytes } from "node:crypto";
import { ConflictError, type ApiKeyInfo, type ApiKeyStore } from "@genq/core";
import type { SqliteDatabase } from "./sqlite.ts";

const SCHEMA = `CREATE TABLE IF NOT EXISTS api_keys (hash TEXT PRIMARY KEY, tenant TEXT NOT NULL, created_at TEXT NOT NULL);`;
const hash = (key: string) => createHash("sha256").update(key).digest("hex");
/** A key's public name: the first 16 hex digits of its hash (what lists show and revocation takes; useless to authenticate with). */
export const API_KEY_ID_LENGTH = 16;
const idOfHash = (h: string) => h.slice(0, API_KEY_ID_LENGTH);
const ID = /^[0-9a-f]{16}$/;

type Row = { hash: string; tenant: string; created_at: string };

/**
 * API keys mapped to tenants, stored as SHA-256 hashes (a key is shown once, when it is made). Every
 * request looks its key up (a primary-key read), so a key revoked by any process is refused at once.
 */
export function createSqliteApiKeys(db: SqliteDatabase) {
  db.exec(SCHEMA);
  const lookup = db.prepare<[string], { tenant: string }>("SELECT tenant FROM api_keys WHERE hash = ?");
  const insert = db.prepare(
    "INSERT INTO api_keys (hash, tenant, created_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING",
  );
  const byHash = db.prepare<[string], Row>("SELECT hash, tenant, created_at FROM api_keys WHERE hash = ?");
  const all = db.prepare<[], Row>("SELECT hash, tenant, created_at FROM api_keys ORDER BY created_at, hash");
  const byTenant = db.prepare<[string], Row>(
    "SELECT hash, tenant, created_at FROM api_keys WHERE tenant = ? ORDER BY created_at, hash",
  );
  const info = (r: Row): ApiKeyInfo => ({ id: idOfHash(r.hash), tenant: r.tenant, createdAt: r.created_at });
  const keys = {
    /** Make a new key for a tenant; the only time the key itself is visible. */
    create(tenant: string): string {
      const key = `gq_${randomBytes(24).toString("base64url")}`;
      keys.register(key, tenant);
      return key;
    },
    /**
     * Accept a key chosen elsewhere (e.g. GENQ_API_KEY) for a tenant; a key another tenant holds is refused
     * (ConflictError): moving it would hand that tenant's clients this tenant's corpora.
     */
    register(key: string, tenant: string): ApiKeyInfo {
      insert.run(hash(key), tenant, new Date().toISOString());
      const row = byHash.get(hash(key))!;
      if (row.tenant !== tenant)
        throw new ConflictError(
          `that API key belongs to tenant "${row.tenant}", not "${tenant}"; choose another key (a key never changes tenant)`,
        );
      return info(row);
    },
    tenantOf(key: string): string | null {
      return lookup.get(hash(key))?.tenant ?? null;
    },
    /** The keys of a tenant (all tenants' without one), oldest first. */
    list(tenant?: string): ApiKeyInfo[] {
      return (tenant === undefined ? all.all() : byTenant.all(tenant)).map(info);
    },
    /**
     * Revoke the key with this id: of this tenant, or of any tenant when none is given (an id two
     * tenants' keys share is then refused as ambiguous). False when there is no such key.
     */
    revoke(tenant: string | undefined, id: string): boolean {
      if (!ID.test(id)) return false;
      const match = keys.list(tenant).filter((k) => k.id === id);
      if (match.length !== 1) return false;
      return (
        db
          .prepare("DELETE FROM api_keys WHERE substr(hash, 1, ?) = ? AND tenant = ?")
          .run(API_KEY_ID_LENGTH, id, match[0]!.tenant).changes === 1
      );
    },
    idOf: (key: string) => idOfHash(hash(key)),
    count(tenant: string): number {
      return (db.prepare("SELECT count(*) AS n FROM api_keys WHERE tenant = ?").get(tenant) as { n: number }).n;
    },
    /** The same keys behind the ApiKeyStore port. */
    store(): ApiKeyStore {
      return {
        create: async (tenant) => {
          const key = keys.create(tenant);
          return { ...info(byHash.get(hash(key))!), key };
        },
        register: async (key, tenant) => keys.register(key, tenant),
        tenantOf: async (key) => keys.tenantOf(key),
        list: async (tenant) => keys.list(tenant),
        revoke: async (tenant, id) => keys.revoke(tenant, id),
        idOf: keys.idOf,
      };
    },
  };
  return keys;
}
