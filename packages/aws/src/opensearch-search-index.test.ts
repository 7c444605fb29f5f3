import { Readable } from "node:stream";
import { Client, Connection } from "@opensearch-project/opensearch";
import { describe, expect, it } from "vitest";
import { createOpenSearchSearchIndex } from "./opensearch-search-index.ts";

interface Call {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}

/** A client whose connection records requests and answers from `respond` (no network). */
function mockedClient(respond: (call: Call) => { status?: number; body: unknown }) {
  const calls: Call[] = [];
  class RecordingConnection extends Connection {
    override request(
      options: Parameters<Connection["request"]>[0],
      callback: Parameters<Connection["request"]>[1],
    ): ReturnType<Connection["request"]> {
      const params = options as unknown as { method: string; path: string; querystring?: string; body?: string };
      const raw = typeof params.body === "string" ? params.body : "";
      const body = raw.includes("\n")
        ? raw
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l))
        : raw
          ? JSON.parse(raw)
          : undefined;
      const call = {
        method: params.method,
        path: params.path,
        query: Object.fromEntries(new URLSearchParams(params.querystring ?? "")),
        body,
      };
      calls.push(call);
      const reply = respond(call);
      const stream = Object.assign(new Readable({ read() {} }), {
        statusCode: reply.status ?? 200,
        headers: { "content-type": "application/json;charset=utf-8" },
      });
      process.nextTick(() => {
        callback(null, stream as never);
        stream.push(JSON.stringify(reply.body));
        stream.push(null);
      });
      return { abort() {} } as never;
    }
  }
  return {
    client: new Client({ node: "http://opensearch.test:9200", Connection: RecordingConnection as never }),
    calls,
  };
}

const passage = (id: string) => ({
  id,
  corpus: "docs",
  documentId: `${id}.md`,
  sourcePath: `${id}.md`,
  title: "T",
  text: `text of ${id}`,
  ordinal: 0,
});

describe("OpenSearch search index", () => {
  it("creates an index per version with a BM25 text field and an HNSW knn_vector", async () => {
    const { client, calls } = mockedClient((c) =>
      c.method === "HEAD" ? { status: 404, body: {} } : { body: { acknowledged: true } },
    );
    await createOpenSearchSearchIndex(client).createVersion({
      corpus: "docs",
      version: "run-1-index",
      dimensions: 128,
      tenant: "acme",
    });
    // The hybrid pipeline is put before the version exists, so no hybrid search can name an undefined one.
    expect(calls.filter((c) => c.method === "PUT").map((c) => c.path)).toEqual([
      "/_search/pipeline/genq-hybrid",
      "/genq-v-run-1-index",
    ]);
    const create = calls.find((c) => c.method === "PUT" && c.path === "/genq-v-run-1-index")!;
    expect(create.body).toMatchObject({
      settings: { index: { knn: true } },
      mappings: {
        _meta: { tenant: "acme" },
        properties: {
          text: { type: "text" },
          tenant: { type: "keyword" },
          embedding: { type: "knn_vector", dimension: 128, method: { name: "hnsw", space_type: "cosinesimil" } },
        },
      },
    });
  });

  it("bulk-indexes passages and retries only the items the cluster rejected", async () => {
    let round = 0;
    const { client, calls } = mockedClient((c) => {
      if (c.path.endsWith("/_mapping"))
        return { body: { "genq-v-run-1-index": { mappings: { _meta: { tenant: "acme" } } } } };
      if (c.path !== "/_bulk") return { body: {} };
      round++;
      const n = (c.body as unknown[]).length / 2;
      return {
        body: {
          errors: round === 1,
          items: Array.from({ length: n }, (_, i) => ({ index: { status: round === 1 && i === 1 ? 429 : 201 } })),
        },
      };
    });
    const index = createOpenSearchSearchIndex(client);
    await index.upsert(
      "run-1-index",
      [passage("a"), passage("b"), passage("c")].map((p) => ({ passage: p, vector: Float32Array.from([1, 0]) })),
    );
    const bulks = calls.filter((c) => c.path === "/_bulk");
    expect(bulks).toHaveLength(2);
    expect((bulks[0]!.body as Array<Record<string, unknown>>)[1]).toMatchObject({
      passageId: "a",
      tenant: "acme",
      embedding: [1, 0],
    });
    expect(bulks[1]!.body).toEqual([
      { index: { _index: "genq-v-run-1-index", _id: "b" } },
      expect.objectContaining({ passageId: "b" }),
    ]);
  });

  it("swaps the serving alias atomically on promotion", async () => {
    const { client, calls } = mockedClient((c) => {
      if (c.method === "HEAD" && c.path.startsWith("/_alias")) return { body: {} };
      if (c.method === "GET" && c.path.startsWith("/_alias"))
        return { body: { "genq-v-run-1-index": { aliases: { "genq-serving-docs": {} } } } };
      return { body: { acknowledged: true } };
    });
    await createOpenSearchSearchIndex(client).promote("docs", "run-2-index");
    const update = calls.find((c) => c.path === "/_aliases")!;
    expect(update.body).toEqual({
      actions: [
        { remove: { index: "genq-v-run-1-index", alias: "genq-serving-docs" } },
        { add: { index: "genq-v-run-2-index", alias: "genq-serving-docs" } },
      ],
    });
  });

  it("searches hybrid through the normalisation pipeline with tenant filters, and maps hits", async () => {
    const { client, calls } = mockedClient((c) => {
      if (c.path.endsWith("/_search"))
        return {
          body: {
            hits: {
              hits: [
                {
                  _score: 0.9,
                  _source: {
                    passageId: "a",
                    corpus: "docs",
                    documentId: "a.md",
                    sourcePath: "a.md",
                    title: "T",
                    text: "text of a",
                    ordinal: 0,
                    tenant: "acme",
                  },
                  highlight: { text: ["<mark>text</mark> of a"] },
                },
              ],
            },
          },
        };
      return { body: {} };
    });
    const index = createOpenSearchSearchIndex(client);
    const hits = await index.search({
      corpus: "docs",
      version: "run-1-index",
      query: "text",
      vector: Float32Array.from([0.5, 0.5]),
      k: 5,
      mode: "hybrid",
      filter: { tenant: "acme" },
    });
    expect(hits).toEqual([{ passage: passage("a"), score: 0.9, scores: {}, highlights: ["<mark>text</mark> of a"] }]);
    // A hybrid search puts the pipeline first (once per process), then names it.
    expect(calls.map((c) => c.path).slice(0, 2)).toEqual([
      "/_search/pipeline/genq-hybrid",
      "/genq-v-run-1-index/_search",
    ]);
    const search = calls.find((c) => c.path.endsWith("/_search"))!;
    expect(search.path).toBe("/genq-v-run-1-index/_search");
    expect(search.query.search_pipeline).toBe("genq-hybrid");
    expect(search.body).toMatchObject({
      size: 5,
      query: {
        hybrid: {
          queries: [
            { bool: { filter: [{ term: { tenant: "acme" } }] } },
            { knn: { embedding: { k: 100, filter: { bool: { filter: [{ term: { tenant: "acme" } }] } } } } },
          ],
        },
      },
    });
    await index.ensurePipeline();
    const pipeline = calls.find((c) => c.path === "/_search/pipeline/genq-hybrid")!;
    expect(pipeline.body).toMatchObject({
      phase_results_processors: [
        {
          "normalization-processor": {
            normalization: { technique: "min_max" },
            combination: { parameters: { weights: [0.7, 0.3] } },
          },
        },
      ],
    });
  });

  // Dropping a version first asks which aliases point at it, so a serving index is never deleted. Only a
  // missing index (404) may read as "no aliases": a search thread pool that rejects the request (429
  // es_rejected_execution_exception, OpenSearch docs "Thread pools") must not let the delete through.
  it("drops nothing when it cannot learn whether the version is serving", async () => {
    const { client, calls } = mockedClient((call) =>
      call.method === "GET"
        ? {
            status: 429,
            body: {
              error: { type: "es_rejected_execution_exception", reason: "rejected execution" },
              status: 429,
            },
          }
        : { body: { acknowledged: true } },
    );
    await expect(createOpenSearchSearchIndex(client).dropVersion("r1-index")).rejects.toThrow(
      /es_rejected_execution_exception/,
    );
    expect(calls.filter((c) => c.method === "DELETE")).toEqual([]);
  });
});
