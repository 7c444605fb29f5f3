import { NotFoundError, type BlobStore } from "@genq/core";
import { describe, expect, it } from "vitest";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
async function* chunks(...parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}

/** The BlobStore contract: every adapter must pass it. `make` returns a fresh, empty store. */
export function blobStoreContract(name: string, make: () => Promise<BlobStore>) {
  describe(`BlobStore contract: ${name}`, () => {
    it("stores and returns bytes, and overwrites atomically", async () => {
      const store = await make();
      await store.put("corpora/a/docs/x.txt", "first");
      await store.put("corpora/a/docs/x.txt", "second");
      expect(text(await store.get("corpora/a/docs/x.txt"))).toBe("second");
      expect(await store.head("corpora/a/docs/x.txt")).toMatchObject({ key: "corpora/a/docs/x.txt", size: 6 });
    });

    it("streams in and out", async () => {
      const store = await make();
      await store.putStream("corpora/a/docs/s.txt", chunks("hello ", "streamed ", "world"));
      let out = "";
      for await (const c of await store.getStream("corpora/a/docs/s.txt")) out += text(c as Uint8Array);
      expect(out).toBe("hello streamed world");
    });

    it("reports missing objects: get throws NotFoundError, head returns null, delete is a no-op", async () => {
      const store = await make();
      await expect(store.get("corpora/a/none")).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.getStream("corpora/a/none")).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.head("corpora/a/none")).toBeNull();
      await store.delete("corpora/a/none");
      // A key under an object's key names nothing either (a folder store cannot even hold one).
      await store.put("corpora/a/docs/x.txt", "an object");
      expect(await store.head("corpora/a/docs/x.txt/inner.md")).toBeNull();
      await expect(store.get("corpora/a/docs/x.txt/inner.md")).rejects.toBeInstanceOf(NotFoundError);
      await store.delete("corpora/a/docs/x.txt/inner.md");
      expect(text(await store.get("corpora/a/docs/x.txt"))).toBe("an object");
    });

    it("lists by prefix in key order and forgets deleted objects", async () => {
      const store = await make();
      for (const k of [
        "corpora/a/docs/b.md",
        "corpora/a/docs/a.md",
        "corpora/a/docs/sub/c.md",
        "corpora/a/passages/p.jsonl",
        "corpora/b/docs/z.md",
      ])
        await store.put(k, k);
      expect((await store.list("corpora/a/docs/")).map((b) => b.key)).toEqual([
        "corpora/a/docs/a.md",
        "corpora/a/docs/b.md",
        "corpora/a/docs/sub/c.md",
      ]);
      await store.delete("corpora/a/docs/b.md");
      expect((await store.list("corpora/a/")).map((b) => b.key)).toEqual([
        "corpora/a/docs/a.md",
        "corpora/a/docs/sub/c.md",
        "corpora/a/passages/p.jsonl",
      ]);
      expect(await store.list("corpora/none/")).toEqual([]);
    });

    it("keeps keys with spaces and unicode intact", async () => {
      const store = await make();
      await store.put("corpora/a/docs/my notes/café.txt", "x");
      expect((await store.list("corpora/a/docs/my notes/")).map((b) => b.key)).toEqual([
        "corpora/a/docs/my notes/café.txt",
      ]);
    });

    it("keeps an object's user metadata until the object is written again, and deletes a whole folder", async () => {
      const store = await make();
      await store.put("corpora/a/docs/m.md", "x", { metadata: { team: "ops" } });
      expect((await store.head("corpora/a/docs/m.md"))?.metadata).toEqual({ team: "ops" });
      await store.put("corpora/a/docs/m.md", "y");
      expect((await store.head("corpora/a/docs/m.md"))?.metadata).toBeUndefined();
      for (const k of ["corpora/a/docs/1.md", "corpora/a/runs/r/x.json", "corpora/ab/docs/2.md"]) await store.put(k, k);
      expect(await store.deletePrefix("corpora/a/")).toBe(3);
      expect((await store.list("corpora/")).map((b) => b.key)).toEqual(["corpora/ab/docs/2.md"]);
      expect(await store.deletePrefix("corpora/a/")).toBe(0);
    });
  });
}
