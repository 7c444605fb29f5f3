import { describe, expect, it } from "vitest";

/** What both runtimes' API key stores do: keys map to tenants, are listed by id, and stop working when revoked. */
export interface ApiKeysUnderTest {
  create(tenant: string): Promise<{ id: string; key: string; createdAt: string }>;
  register(key: string, tenant: string): Promise<void>;
  tenantOf(key: string): Promise<string | null>;
  list(tenant: string): Promise<Array<{ id: string; createdAt: string }>>;
  revoke(tenant: string, id: string): Promise<boolean>;
  idOf(key: string): string;
}

/** One contract, run against the SQLite store and DynamoDB (Local). */
export function apiKeysContract(name: string, make: () => Promise<ApiKeysUnderTest>) {
  describe(`API keys contract: ${name}`, () => {
    it("makes a key for a tenant, lists it by id for that tenant only, and never lists the key itself", async () => {
      const keys = await make();
      const a = await keys.create("alpha");
      expect(a.key).toMatch(/^gq_[\w-]{32}$/);
      expect(a.id).toBe(keys.idOf(a.key));
      expect(a.id).toMatch(/^[0-9a-f]{16}$/);
      expect(await keys.tenantOf(a.key)).toBe("alpha");
      await keys.register("chosen-elsewhere", "alpha");
      await keys.create("beta");
      const listed = await keys.list("alpha");
      expect(listed.map((k) => k.id).sort()).toEqual([a.id, keys.idOf("chosen-elsewhere")].sort());
      expect(JSON.stringify(listed)).not.toContain(a.key);
      expect((await keys.list("beta")).map((k) => k.id)).not.toContain(a.id);
    });

    it("revokes a tenant's key so it is refused at once; another tenant cannot revoke it", async () => {
      const keys = await make();
      const a = await keys.create("alpha");
      expect(await keys.revoke("beta", a.id)).toBe(false);
      expect(await keys.tenantOf(a.key)).toBe("alpha");
      expect(await keys.revoke("alpha", a.id)).toBe(true);
      expect(await keys.tenantOf(a.key)).toBeNull();
      expect(await keys.list("alpha")).toEqual([]);
      expect(await keys.revoke("alpha", a.id)).toBe(false);
      expect(await keys.tenantOf("never-made")).toBeNull();
    });
  });
}
