import type { ApiKeyStore } from "@genq/core";
import { describe, expect, it } from "vitest";

/** The ApiKeyStore contract: keys shown once, listed by id per tenant, revoked at once. `make` returns a fresh store. */
export function apiKeysContract(name: string, make: () => Promise<ApiKeyStore>) {
  describe(`ApiKeyStore contract: ${name}`, () => {
    it("makes keys that authenticate their tenant, lists them by id without the key, and revokes one at once", async () => {
      const store = await make();
      const a = await store.create("acme");
      const b = await store.create("acme");
      await store.create("other");
      expect(a.key).toMatch(/^gq_/);
      expect(await store.tenantOf(a.key)).toBe("acme");
      expect(await store.tenantOf("gq_unknown")).toBeNull();
      const listed = await store.list("acme");
      expect(listed.map((k) => k.id).sort()).toEqual([a.info.id, b.info.id].sort());
      expect(JSON.stringify(listed)).not.toContain(a.key);
      expect(await store.revoke(a.info.id, "other")).toBe(false);
      expect(await store.revoke(a.info.id, "acme")).toBe(true);
      expect(await store.tenantOf(a.key)).toBeNull();
      expect(await store.tenantOf(b.key)).toBe("acme");
      expect(await store.revoke(a.info.id, "acme")).toBe(false);
      expect((await store.list("acme")).map((k) => k.id)).toEqual([b.info.id]);
    });

    it("registers a key chosen elsewhere", async () => {
      const store = await make();
      const info = await store.register("gq_chosen-by-ops", "acme");
      expect(await store.tenantOf("gq_chosen-by-ops")).toBe("acme");
      expect((await store.list("acme")).map((k) => k.id)).toEqual([info.id]);
    });
  });
}
