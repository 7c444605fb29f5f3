import type { ApiKeyStore } from "@genq/core";
import { describe, expect, it } from "vitest";

/**
 * The ApiKeyStore contract, run against the SQLite store and DynamoDB (Local): keys map to tenants, are
 * shown once, listed by id per tenant and refused at once when revoked. `make` returns a fresh store.
 */
export function apiKeysContract(name: string, make: () => Promise<ApiKeyStore>) {
  describe(`ApiKeyStore contract: ${name}`, () => {
    it("makes a key for a tenant, lists it by id for that tenant only, and never lists the key itself", async () => {
      const keys = await make();
      const a = await keys.create("alpha");
      expect(a.key).toMatch(/^gq_[\w-]{32}$/);
      expect(a.id).toBe(keys.idOf(a.key));
      expect(a.id).toMatch(/^[0-9a-f]{16}$/);
      expect(a.tenant).toBe("alpha");
      expect(await keys.tenantOf(a.key)).toBe("alpha");
      await keys.register("chosen-elsewhere", "alpha");
      await keys.create("beta");
      const listed = await keys.list("alpha");
      expect(listed.map((k) => k.id).sort()).toEqual([a.id, keys.idOf("chosen-elsewhere")].sort());
      expect(listed.every((k) => k.tenant === "alpha" && typeof k.createdAt === "string")).toBe(true);
      expect(JSON.stringify(listed)).not.toContain(a.key);
      expect((await keys.list("beta")).map((k) => k.id)).not.toContain(a.id);
    });

    it("revokes a tenant's key so it is refused at once; another tenant cannot revoke it", async () => {
      const keys = await make();
      const a = await keys.create("alpha");
      const b = await keys.create("alpha");
      expect(await keys.revoke("beta", a.id)).toBe(false);
      expect(await keys.tenantOf(a.key)).toBe("alpha");
      expect(await keys.revoke("alpha", a.id)).toBe(true);
      expect(await keys.tenantOf(a.key)).toBeNull();
      expect(await keys.tenantOf(b.key)).toBe("alpha");
      expect((await keys.list("alpha")).map((k) => k.id)).toEqual([b.id]);
      expect(await keys.revoke("alpha", a.id)).toBe(false);
      expect(await keys.revoke("alpha", "not-an-id")).toBe(false);
      expect(await keys.tenantOf("never-made")).toBeNull();
    });

    it("registers a key chosen elsewhere (e.g. GENQ_API_KEY)", async () => {
      const keys = await make();
      const info = await keys.register("gq_chosen-by-ops", "acme");
      expect(info).toMatchObject({ id: keys.idOf("gq_chosen-by-ops"), tenant: "acme" });
      expect(await keys.tenantOf("gq_chosen-by-ops")).toBe("acme");
      expect((await keys.list("acme")).map((k) => k.id)).toEqual([info.id]);
      expect(await keys.register("gq_chosen-by-ops", "acme")).toEqual(info);
      expect((await keys.list("acme")).map((k) => k.id)).toEqual([info.id]);
    });

    // On AWS this runs against DynamoDB Local: the conditional put (attribute_not_exists, DynamoDB developer
    // guide "Preventing overwrites of an existing item") is what refuses to move the key.
    it("never moves a key to another tenant: registering another tenant's key is refused and it stays theirs", async () => {
      const keys = await make();
      const b = await keys.create("beta");
      await expect(keys.register(b.key, "alpha")).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringContaining('belongs to tenant "beta", not "alpha"'),
      });
      await keys.register("gq_ops-chosen", "beta");
      await expect(keys.register("gq_ops-chosen", "alpha")).rejects.toMatchObject({ code: "conflict" });
      expect(await keys.tenantOf(b.key)).toBe("beta");
      expect(await keys.tenantOf("gq_ops-chosen")).toBe("beta");
      expect(await keys.list("alpha")).toEqual([]);
      expect((await keys.list("beta")).map((k) => k.id).sort()).toEqual([b.id, keys.idOf("gq_ops-chosen")].sort());
    });
  });
}
