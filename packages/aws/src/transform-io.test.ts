import { describe, expect, it } from "vitest";
import { NotFoundError, type BlobStore, type Passage, type SearchIndex } from "@genq/core";
import { readLines } from "./json-lines.ts";
import { transformPaths, writePassageManifest, writeQueryGenerationInputs } from "./transform-input.ts";
import { collectTransformOutput, indexEmbeddingOutput, indexEmbeddingOutputPart } from "./transform-output.ts";

/** A BlobStore in a Map that streams in small chunks, so line splitting across chunks is exercised. */
function memoryBlobs() {
  const store = new Map<string, Uint8Array>();
  const enc = new TextEncoder();
  const blobs: BlobStore = {
    async deletePrefix(prefix) {
      const gone = [...store.keys()].filter((k) => k.startsWith(prefix));
      gone.forEach((k) => store.delete(k));
      return gone.length;
    },
    async put(k, b) {
      store.set(k, typeof b === "string" ? enc.encode(b) : b);
    },
    async putStream(k, body) {
      const parts: Uint8Array[] = [];
      for await (const p of body) parts.push(p);
      store.set(k, Buffer.concat(parts));
    },
    async get(k) {
      const v = store.get(k);
      if (!v) throw new NotFoundError(k);
      return v;
    },
    async getStream(k) {
      const v = await blobs.get(k);
      return (async function* () {
        for (let i = 0; i < v.length; i += 7) yield v.subarray(i, i + 7);
      })();
    },
    async head(k) {
      const v = store.get(k);
      return v ? { key: k, size: v.length, modifiedAt: "" } : null;
    },
    async list(prefix) {
      return [...store.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort()
        .map((key) => ({ key, size: store.get(key)!.length, modifiedAt: "" }));
    },
    async delete(k) {
      store.delete(k);
    },
  };
  const text = (k: string) => new TextDecoder().decode(store.get(k));
  const rows = (k: string) =>
    text(k)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
  return { blobs, store, text, rows };
}

const passage = (id: string, i: number): Passage => ({
  id,
  corpus: "docs",
  documentId: `${id}.md`,
  sourcePath: `${id}.md`,
  title: `Title ${i}`,
  text: `Text of ${id} — ünïcode`,
  ordinal: 0,
});

describe("JSON lines", () => {
  it("splits a stream on line breaks wherever the chunks end, skipping blank lines", async () => {
    const bytes = new TextEncoder().encode('{"a":"é"}\r\n\n{"b":2}\n{"c":3}');
    const chunks = (async function* () {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3);
    })();
    const lines: string[] = [];
    for await (const l of readLines(chunks)) lines.push(l);
    expect(lines).toEqual(['{"a":"é"}', '{"b":2}', '{"c":3}']);
  });
});

describe("transform inputs", () => {
  it("writes one query-generation object per passages object, each passage a request line with its id", async () => {
    const { blobs, rows } = memoryBlobs();
    await blobs.put(
      "corpora/docs/passages/h1.jsonl",
      [passage("a", 1), passage("b", 2)].map((p) => JSON.stringify(p)).join("\n") + "\n",
    );
    await blobs.put("corpora/docs/passages/h2.jsonl", JSON.stringify(passage("c", 3)) + "\n");
    const out = await writeQueryGenerationInputs(blobs, {
      corpus: "docs",
      runId: "r1",
      passagesKeys: [
        "corpora/docs/passages/h2.jsonl",
        "corpora/docs/passages/h1.jsonl",
        "corpora/docs/passages/h1.jsonl",
      ],
      queriesPerPassage: 3,
    });
    expect(out).toEqual({ objects: 2, passages: 3 });
    const first = rows(`${transformPaths.queriesInput("docs", "r1")}h1.jsonl`);
    expect(first.map((r) => r.passageId)).toEqual(["a", "b"]);
    expect(first[0]).toEqual({
      passageId: "a",
      inputs: "Title 1\nText of a — ünïcode",
      parameters: expect.objectContaining({ num_return_sequences: 3 }),
    });
    await expect(
      writeQueryGenerationInputs(blobs, {
        corpus: "docs",
        runId: "r1",
        passagesKeys: ["corpora/other/passages/x.jsonl"],
        queriesPerPassage: 3,
      }),
    ).rejects.toThrow(/not under corpora\/docs\/passages\//);
  });

  it("refuses a damaged passages object, naming it and the line", async () => {
    const { blobs } = memoryBlobs();
    await blobs.put("corpora/docs/passages/bad.jsonl", JSON.stringify(passage("a", 1)) + '\n{"id": 3}\n');
    await expect(
      writeQueryGenerationInputs(blobs, {
        corpus: "docs",
        runId: "r1",
        passagesKeys: ["corpora/docs/passages/bad.jsonl"],
        queriesPerPassage: 3,
      }),
    ).rejects.toThrow(/bad.jsonl is damaged at line 2/);
  });

  // SageMaker's ManifestFile format: TransformS3DataSource in the SageMaker API reference.
  it("writes the embedding manifest as SageMaker's ManifestFile: a prefix, then relative keys", async () => {
    const { blobs, text } = memoryBlobs();
    const out = await writePassageManifest(blobs, {
      bucket: "genq-docs",
      corpus: "docs",
      runId: "r1",
      passagesKeys: ["corpora/docs/passages/h2.jsonl", "corpora/docs/passages/h1.jsonl"],
    });
    expect(out).toEqual({
      key: "corpora/docs/runs/r1/embed-input.manifest",
      uri: "s3://genq-docs/corpora/docs/runs/r1/embed-input.manifest",
      objects: 2,
    });
    expect(JSON.parse(text(out.key))).toEqual([
      { prefix: "s3://genq-docs/corpora/docs/passages/" },
      "h1.jsonl",
      "h2.jsonl",
    ]);
    await expect(
      writePassageManifest(blobs, { bucket: "b", corpus: "docs", runId: "r1", passagesKeys: [] }),
    ).rejects.toThrow(/no passages to embed/);
  });
});

describe("transform outputs", () => {
  it("turns joined query-generation output into streamed pairs per part and one held-out file", async () => {
    const { blobs, rows, store } = memoryBlobs();
    const line = (i: number) =>
      JSON.stringify({
        passageId: `p${i}`,
        inputs: `passage ${i}`,
        parameters: {},
        SageMakerOutput: [
          { generated_text: ` query ${i} a ` },
          { generated_text: `query ${i} b` },
          { generated_text: `query ${i} b` },
        ],
      });
    const out = transformPaths.queriesOutput("c", "r1");
    await blobs.put(`${out}h1.jsonl.out`, Array.from({ length: 20 }, (_, i) => line(i)).join("\n") + "\nnot json\n");
    await blobs.put(
      `${out}h2.jsonl.out`,
      Array.from({ length: 20 }, (_, i) => line(i + 20)).join("\n") +
        "\n" +
        JSON.stringify({ passageId: "x", inputs: "y", SageMakerOutput: [] }) +
        "\n",
    );
    const event = await collectTransformOutput(blobs, { corpus: "c", runId: "r1", heldOutFraction: 0.25, seed: 13 });
    const train = [...rows("corpora/c/runs/r1/pairs/h1.jsonl"), ...rows("corpora/c/runs/r1/pairs/h2.jsonl")];
    const held = rows("corpora/c/runs/r1/heldout.jsonl");
    expect(train.length + held.length).toBe(80);
    expect(held.length).toBeGreaterThan(0);
    expect(train[0]).toEqual({
      query: expect.stringMatching(/^query \d+ a$/),
      passage: expect.stringMatching(/^passage \d+$/),
      passageId: expect.any(String),
      kind: "t5",
    });
    const trained = new Set(train.map((t) => t.passageId));
    for (const h of held) expect(trained.has(h.passageId)).toBe(false);
    expect([...store.keys()].filter((k) => k.includes("heldout-parts"))).toEqual([]);
    expect(event).toEqual({
      pairsKey: "corpora/c/runs/r1/pairs/h1.jsonl",
      heldoutKey: "corpora/c/runs/r1/heldout.jsonl",
      pairs: train.length,
      heldout: held.length,
    });
    store.clear();
    await blobs.put(`${out}h1.jsonl.out`, "garbage\n");
    await expect(
      collectTransformOutput(blobs, { corpus: "c", runId: "r1", heldOutFraction: 0.25, seed: 13 }),
    ).rejects.toThrow(/no usable pairs \(1 output parts, 1 unreadable lines/);
  });

  it("indexes embedding output in bounded batches from passage records, or ids through a map", async () => {
    const { blobs } = memoryBlobs();
    const out = transformPaths.embeddingOutput("docs", "r1");
    await blobs.put(
      `${out}h1.jsonl.out`,
      ["a", "b", "c", "d", "e"].map((id, i) => JSON.stringify({ ...passage(id, i), embedding: [i, 1] })).join("\n") +
        "\n",
    );
    await blobs.put(
      `${out}h2.jsonl.out`,
      JSON.stringify({ passageId: "z", kind: "passage", embedding: [0, 1] }) + "\n",
    );
    await blobs.put(`${out}_manifest.txt`, "ignored: not an .out object");
    const batches: string[][] = [];
    const index = {
      upsert: async (_v: string, items: Array<{ passage: Passage; vector: Float32Array }>) =>
        void batches.push(items.map((i) => i.passage.id)),
    } as unknown as SearchIndex;
    expect(
      await indexEmbeddingOutputPart(blobs, index, {
        version: "v",
        key: `${out}h1.jsonl.out`,
        dimensions: 2,
        batchSize: 2,
      }),
    ).toBe(5);
    expect(batches).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    await expect(
      indexEmbeddingOutputPart(blobs, index, { version: "v", key: `${out}h2.jsonl.out`, dimensions: 2 }),
    ).rejects.toThrow(/line 1 names no known passage/);
    batches.length = 0;
    const passages = new Map([["z", passage("z", 9)]]);
    expect(
      await indexEmbeddingOutput(blobs, index, { corpus: "docs", runId: "r1", version: "v", dimensions: 2, passages }),
    ).toBe(6);
    await expect(
      indexEmbeddingOutputPart(blobs, index, { version: "v", key: `${out}h1.jsonl.out`, dimensions: 3 }),
    ).rejects.toThrow(/passage "a"\) has no 3-dimensional vector/);
  });
});
