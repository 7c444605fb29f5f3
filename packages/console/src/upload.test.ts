import { describe, expect, it } from "vitest";
import { uploadFile, type UploadDeps, type UploadFile } from "./upload.ts";
import { highlightPieces, spanPieces } from "./text-spans.ts";

const file = (name: string, bytes: number[] | string, type = ""): UploadFile => {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : Uint8Array.from(bytes);
  return { name, size: data.length, type, bytes: async () => data };
};

function fakeServer(uploads: { status: number; body?: unknown }) {
  const calls: Array<{ to: string; method: string; body: unknown; headers?: Record<string, string> }> = [];
  const deps: UploadDeps = {
    api: async (path, init) => {
      calls.push({ to: path, method: init.method, body: init.body });
      if (path.endsWith("/uploads"))
        return new Response(
          JSON.stringify(uploads.body ?? { error: { code: "not_implemented", message: "no upload URLs" } }),
          { status: uploads.status },
        );
      return new Response('{"key":"k","size":1}', { status: 202 });
    },
    putObject: async (url, init) => (
      calls.push({ to: url, method: init.method, body: init.body, headers: init.headers }),
      new Response(null, { status: 200 })
    ),
  };
  return { deps, calls };
}

describe("uploading from the console", () => {
  it("falls back to the JSON documents route where the server has no upload URLs: text as UTF-8, binary as base64", async () => {
    const { deps, calls } = fakeServer({ status: 501 });
    expect(await uploadFile(deps, "docs", file("notes.md", "# Title\nünïcode"))).toEqual({ via: "json" });
    expect(await uploadFile(deps, "docs", file("scan.pdf", [0x25, 0x50, 0xff, 0xfe, 0x00]))).toEqual({ via: "json" });
    expect(calls.map((c) => `${c.method} ${c.to}`)).toEqual([
      "POST v1/corpora/docs/uploads",
      "POST v1/corpora/docs/documents",
      "POST v1/corpora/docs/uploads",
      "POST v1/corpora/docs/documents",
    ]);
    expect(calls[1]!.body).toEqual({ path: "notes.md", content: "# Title\nünïcode", encoding: "utf8" });
    expect(calls[3]!.body).toEqual({ path: "scan.pdf", content: "JVD//gA=", encoding: "base64" });
  });

  it("sends the bytes to a presigned URL with its headers (never the API key) when the server gives one", async () => {
    const { deps, calls } = fakeServer({
      status: 201,
      body: { url: "https://bucket.example/k?sig=1", method: "PUT", headers: { "content-type": "text/markdown" } },
    });
    expect(await uploadFile(deps, "docs", file("big.md", "x".repeat(10), "text/markdown"))).toEqual({
      via: "presigned",
    });
    expect(calls[0]!.body).toEqual({ path: "big.md", size: 10, contentType: "text/markdown" });
    expect(calls[1]).toMatchObject({
      to: "https://bucket.example/k?sig=1",
      method: "PUT",
      headers: { "content-type": "text/markdown" },
    });
    expect(calls).toHaveLength(2);
  });

  it("posts a form for a presigned POST, and says when the server refuses the upload", async () => {
    const { deps, calls } = fakeServer({
      status: 200,
      body: { url: "https://bucket.example/", fields: { key: "corpora/docs/docs/a.txt", policy: "p" } },
    });
    await uploadFile(deps, "docs", file("a.txt", "hello"));
    const form = calls[1]!.body as FormData;
    expect([...form.keys()]).toEqual(["key", "policy", "file"]);
    const refused = fakeServer({ status: 413, body: { error: { code: "too_large", message: "body over 6 MB" } } });
    await expect(uploadFile(refused.deps, "docs", file("a.txt", "hello"))).rejects.toThrow("body over 6 MB");
  });
});

describe("marked text", () => {
  it("reads only <mark> from a highlight and unescapes the rest as text", () => {
    expect(highlightPieces("…a &lt;b&gt; <mark>index</mark> on <mark>expressions</mark>…")).toEqual([
      { text: "…a <b> ", mark: false },
      { text: "index", mark: true },
      { text: " on ", mark: false },
      { text: "expressions", mark: true },
      { text: "…", mark: false },
    ]);
    expect(highlightPieces("<script>x</script>")).toEqual([{ text: "<script>x</script>", mark: false }]);
  });

  it("marks character spans, merging overlaps and clamping to the text", () => {
    expect(
      spanPieces("abcdefgh", [
        { start: 5, end: 20, cls: "cited" },
        { start: 1, end: 3 },
        { start: 2, end: 4 },
      ]),
    ).toEqual([
      { text: "a", mark: false },
      { text: "bc", mark: true },
      { text: "d", mark: true },
      { text: "e", mark: false },
      { text: "fgh", mark: true, cls: "cited" },
    ]);
  });
});
