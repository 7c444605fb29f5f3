import { Client } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws-v3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Passage } from "@genq/core";
import { createOpenSearchClient, createOpenSearchSearchIndex } from "@genq/aws";
import { startOpenSearchStandIn, type OpenSearchStandIn } from "./opensearch-standin.ts";

let os: OpenSearchStandIn;
let client: Client;
beforeAll(async () => {
  os = await startOpenSearchStandIn({ users: { admin: "Secret-pass1" }, refreshIntervalMs: 60_000 });
  client = createOpenSearchClient({ node: os.url, region: "us-east-1", username: "admin", password: "Secret-pass1" });
});
afterAll(() => os?.stop());

/** The error OpenSearch answered, as the client surfaces it: status and body. */
const refusal = async (p: Promise<unknown>) => {
  const e = (await p.then(
    () => null,
    (error: unknown) => error,
  )) as {
    meta?: {
      statusCode?: number;
      body?: { error?: { type?: string; reason?: string; root_cause?: Array<{ type: string; reason: string }> } };
    };
  } | null;
  if (!e) throw new Error("OpenSearch accepted what it should refuse");
  return {
    status: e.meta?.statusCode,
    type: e.meta?.body?.error?.type,
    reason: e.meta?.body?.error?.reason,
    root: e.meta?.body?.error?.root_cause?.[0],
  };
};

const mapping = {
  mappings: {
    properties: {
      text: { type: "text", analyzer: "english" },
      tenant: { type: "keyword" },
      embedding: {
        type: "knn_vector",
        dimension: 4,
        method: { name: "hnsw", space_type: "cosinesimil", engine: "lucene" },
      },
    },
  },
};

describe("OpenSearch stand-in: what OpenSearch refuses", () => {
  // OpenSearchException's REST shape; IndexNotFoundException is 404 "no such index [x]".
  it("refuses a search on a missing index or alias", async () => {
    expect(await refusal(client.search({ index: "nope", body: { query: { match_all: {} } } }))).toMatchObject({
      status: 404,
      type: "index_not_found_exception",
      reason: "no such index [nope]",
    });
  });

  // opensearch-project/OpenSearch SearchPipelineService.resolvePipeline.
  it("refuses a search naming a search pipeline that is not defined", async () => {
    await client.indices.create({ index: "refusals", body: mapping as never });
    expect(
      await refusal(
        client.search({
          index: "refusals",
          search_pipeline: "genq-hybrid",
          body: { query: { match_all: {} } },
        } as never),
      ),
    ).toMatchObject({ status: 400, type: "illegal_argument_exception", reason: "Pipeline genq-hybrid is not defined" });
  });

  // neural-search ScoreCombinationUtil.validateWeights and ScoreCombinationFactory.
  it("refuses a normalization pipeline whose weights do not sum to 1 or whose technique it does not know", async () => {
    const put = (processor: object) =>
      client.transport.request({
        method: "PUT",
        path: "/_search/pipeline/bad",
        body: { phase_results_processors: [{ "normalization-processor": processor }] },
      });
    expect(
      await refusal(
        put({
          normalization: { technique: "min_max" },
          combination: { technique: "arithmetic_mean", parameters: { weights: [0.7, 0.5] } },
        }),
      ),
    ).toMatchObject({
      status: 400,
      reason: "sum of weights for combination must be equal to 1.0, submitted weights: [0.7, 0.5]",
    });
    expect(await refusal(put({ combination: { technique: "median" } }))).toMatchObject({
      reason: "provided combination technique is not supported",
    });
    await put({
      normalization: { technique: "min_max" },
      combination: { technique: "arithmetic_mean", parameters: { weights: [0.7, 0.3] } },
    });
  });

  // k-NN KNNQueryBuilder.doToQuery; the failure comes back as search_phase_execution_exception from the shards.
  it("refuses knn on a field that is not a knn_vector, and query vectors of another dimension", async () => {
    const notKnn = await refusal(
      client.search({ index: "refusals", body: { query: { knn: { text: { vector: [1, 0, 0, 0], k: 3 } } } } }),
    );
    expect(notKnn).toMatchObject({
      status: 400,
      type: "search_phase_execution_exception",
      root: { type: "illegal_argument_exception", reason: "Field 'text' is not knn_vector type." },
    });
    const dims = await refusal(
      client.search({ index: "refusals", body: { query: { knn: { embedding: { vector: [1, 0, 0], k: 3 } } } } }),
    );
    expect(dims.root).toEqual({
      type: "illegal_argument_exception",
      reason: "Query vector has invalid dimension: 3. Dimension should be: 4",
    });
  });

  // opensearch-project/k-NN PR #1501 (2.13): a zero vector has no cosine, so a cosinesimil field refuses it
  // as a query ("failed to create query: …") and in a document (mapper_parsing_exception, item by item).
  it("refuses a zero vector against a cosinesimil field, as a query and in a document", async () => {
    const query = await refusal(
      client.search({ index: "refusals", body: { query: { knn: { embedding: { vector: [0, 0, 0, 0], k: 3 } } } } }),
    );
    expect(query.root).toEqual({
      type: "query_shard_exception",
      reason: "failed to create query: zero vector is not supported when space type is [cosinesimil]",
    });
    const out = await client.bulk({
      body: [{ index: { _index: "refusals", _id: "z" } }, { text: "only stop words", embedding: [0, 0, 0, 0] }],
    });
    const item = (out.body as { items: Array<{ index: { status: number; error?: unknown } }> }).items[0]!.index;
    expect(item).toMatchObject({
      status: 400,
      error: {
        type: "mapper_parsing_exception",
        caused_by: { reason: "zero vector is not supported when space type is [cosinesimil]" },
      },
    });
  });

  // KNNValidationUtil.validateVectorDimension while parsing the document: the bulk item fails, the others stand.
  it("refuses documents whose vector has another dimension, item by item", async () => {
    const out = await client.bulk({
      body: [
        { index: { _index: "refusals", _id: "a" } },
        { text: "ok", embedding: [1, 0, 0, 0] },
        { index: { _index: "refusals", _id: "b" } },
        { text: "bad", embedding: [1, 0] },
      ],
    });
    const body = out.body as {
      errors: boolean;
      items: Array<{ index: { status: number; error?: { type: string; caused_by?: { reason: string } } } }>;
    };
    expect(body.errors).toBe(true);
    expect(body.items.map((i) => i.index.status)).toEqual([201, 400]);
    expect(body.items[1]!.index.error).toMatchObject({
      type: "mapper_parsing_exception",
      caused_by: { reason: "Vector dimension mismatch. Expected: 4, Given: 2" },
    });
  });

  it("maps a vector dynamically as floats when a bulk creates the index, so knn on it fails", async () => {
    await client.bulk({
      body: [{ index: { _index: "auto", _id: "a" } }, { text: "x", embedding: [0.5, 0.5] }],
      refresh: true,
    });
    const mapped = (await client.indices.getMapping({ index: "auto" })).body as Record<
      string,
      { mappings: { properties: Record<string, { type: string }> } }
    >;
    expect(mapped.auto!.mappings.properties.embedding!.type).toBe("float");
    expect(
      (
        await refusal(
          client.search({ index: "auto", body: { query: { knn: { embedding: { vector: [1, 0], k: 1 } } } } }),
        )
      ).root!.reason,
    ).toBe("Field 'embedding' is not knn_vector type.");
  });

  // TransportIndicesAliasesAction / MetadataIndexAliasesService.
  it("refuses bad alias actions: a missing index, an alias that is nowhere, an alias named like an index", async () => {
    const update = (actions: object[]) => client.indices.updateAliases({ body: { actions } });
    expect(await refusal(update([{ add: { index: "missing", alias: "serving" } }]))).toMatchObject({
      status: 404,
      type: "index_not_found_exception",
    });
    expect(await refusal(update([{ remove: { index: "refusals", alias: "serving" } }]))).toMatchObject({
      status: 404,
      type: "aliases_not_found_exception",
      reason: "aliases [serving] missing",
    });
    expect(await refusal(update([{ add: { index: "refusals", alias: "auto" } }]))).toMatchObject({
      status: 400,
      type: "invalid_alias_name_exception",
    });
    expect(await refusal(update([{ swap: { index: "refusals", alias: "x" } }]))).toMatchObject({
      status: 400,
      type: "parsing_exception",
    });
    expect(
      await refusal(
        client.search({
          index: "refusals",
          body: { query: { bool: { must: [{ hybrid: { queries: [{ match_all: {} }] } }] } } },
        }),
      ),
    ).toMatchObject({
      root: { reason: "hybrid query must be a top level query and cannot be wrapped into other queries" },
    });
  });

  // Fine-grained access control: no or wrong credentials 401; a SigV4 request from an unmapped role 403.
  it("answers 401 without the master user's credentials and 403 to a SigV4-signed request", async () => {
    expect((await refusal(new Client({ node: os.url }).search({ index: "refusals" }))).status).toBe(401);
    expect(
      (
        await refusal(
          createOpenSearchClient({ node: os.url, region: "us-east-1", username: "admin", password: "wrong" }).search({
            index: "refusals",
          }),
        )
      ).status,
    ).toBe(401);
    const signed = new Client({
      ...AwsSigv4Signer({
        region: "us-east-1",
        service: "es",
        getCredentials: async () => ({ accessKeyId: "AKIA", secretAccessKey: "s" }),
      }),
      node: os.url,
    });
    expect(await refusal(signed.search({ index: "refusals" }))).toMatchObject({
      status: 403,
      type: "security_exception",
    });
    expect(() =>
      createOpenSearchClient({
        node: "http://search.example.com",
        region: "us-east-1",
        username: "admin",
        password: "x",
      }),
    ).toThrow(/over http: .* use https/);
    expect(() =>
      createOpenSearchClient({ node: "https://search.example.com", region: "us-east-1", username: "admin" }),
    ).toThrow(/go together/);
  });
});

describe("OpenSearch stand-in: genq's search index on it", () => {
  const passage = (id: string, text: string, title = ""): Passage => ({
    id,
    corpus: "docs",
    documentId: `${id}.md`,
    sourcePath: `${id}.md`,
    title,
    text,
    ordinal: 0,
  });
  const items = [
    { passage: passage("vacuum", "VACUUM reclaims storage occupied by dead tuples.", "Vacuum"), vector: [1, 0, 0, 0] },
    {
      passage: passage("index", "An index lets the server find rows faster than a scan.", "Indexes"),
      vector: [0, 1, 0, 0],
    },
    { passage: passage("dump", "pg_dump writes a consistent snapshot of a database.", "Backup"), vector: [0, 0, 1, 0] },
    {
      passage: passage("wal", "Write-ahead logging records changes before data files; vacuum too.", "WAL"),
      vector: [0.6, 0, 0, 0.8],
    },
  ].map((i) => ({ passage: i.passage, vector: Float32Array.from(i.vector) }));

  it("builds a version, promotes it by alias, and ranks lexical, semantic and hybrid searches", async () => {
    const index = createOpenSearchSearchIndex(client, { prefix: "t1" });
    await index.createVersion({ corpus: "docs", version: "v1", dimensions: 4, tenant: "acme" });
    await index.upsert("v1", items);
    expect(await index.search({ corpus: "docs", version: "v1", query: "vacuum", k: 3, mode: "lexical" })).toEqual([]);
    await index.promote("docs", "v1");
    expect(os.state().aliases["t1-serving-docs"]).toEqual(["t1-v-v1"]);
    const lexical = await index.search({
      corpus: "docs",
      query: "vacuum dead tuples",
      k: 3,
      mode: "lexical",
      filter: { tenant: "acme" },
    });
    expect(lexical.map((h) => h.passage.id)).toEqual(["vacuum", "wal"]);
    expect(lexical[0]!.highlights[0]).toContain("<mark>VACUUM</mark>");
    expect(lexical[0]!.passage).toEqual(items[0]!.passage);
    const semantic = await index.search({
      corpus: "docs",
      query: "x",
      vector: Float32Array.from([0, 0.1, 1, 0]),
      k: 2,
      mode: "semantic",
    });
    expect(semantic.map((h) => h.passage.id)).toEqual(["dump", "index"]);
    // Lexically only "index" matches; semantically "dump" is nearest: hybrid ranks both above the rest,
    // the lexical one first (0.7 of the min-max normalised mix is lexical with genq's default weights).
    const hybrid = await index.search({
      corpus: "docs",
      query: "index scan",
      vector: Float32Array.from([0, 0, 1, 0]),
      k: 4,
      mode: "hybrid",
    });
    expect(hybrid.map((h) => h.passage.id).slice(0, 2)).toEqual(["index", "dump"]);
    expect(hybrid[0]!.score).toBeCloseTo(0.7 * 1 + 0.3 * 0.001, 4);
    // Weights asked for per search (the gate's calibrated mix) get their own pipeline; all-semantic puts "dump" first.
    const semanticOnly = await index.search({
      corpus: "docs",
      query: "index scan",
      vector: Float32Array.from([0, 0, 1, 0]),
      k: 4,
      mode: "hybrid",
      weights: { lexical: 0, sparse: 0, semantic: 1 },
    });
    expect(semanticOnly[0]!.passage.id).toBe("dump");
    expect(os.state().pipelines).toEqual(expect.arrayContaining(["genq-hybrid", "genq-hybrid-0-1000"]));
    expect(
      await index.search({ corpus: "docs", query: "vacuum", k: 3, mode: "lexical", filter: { tenant: "other" } }),
    ).toEqual([]);
  });

  it("puts the hybrid pipeline itself before its first hybrid search, and again if it was removed", async () => {
    await client.transport.request({ method: "DELETE", path: "/_search/pipeline/genq-hybrid" }).catch(() => undefined);
    const fresh = createOpenSearchSearchIndex(client, { prefix: "t1" });
    const top = async () =>
      (
        await fresh.search({
          corpus: "docs",
          query: "vacuum",
          vector: Float32Array.from([1, 0, 0, 0]),
          k: 2,
          mode: "hybrid",
        })
      )[0]!.passage.id;
    expect(await top()).toBe("vacuum");
    await client.transport.request({ method: "DELETE", path: "/_search/pipeline/genq-hybrid" });
    expect(await top()).toBe("vacuum");
    expect(os.state().pipelines).toContain("genq-hybrid");
  });

  it("swaps the serving alias to a new version atomically and keeps the serving one from being dropped", async () => {
    const index = createOpenSearchSearchIndex(client, { prefix: "t1" });
    await index.createVersion({ corpus: "docs", version: "v2", dimensions: 4, tenant: "acme" });
    await index.upsert("v2", items.slice(0, 1));
    await index.promote("docs", "v2");
    expect(os.state().aliases["t1-serving-docs"]).toEqual(["t1-v-v2"]);
    expect(await index.servingVersion("docs")).toBe("v2");
    await expect(index.dropVersion("v2")).rejects.toThrow(/is serving/);
    await index.dropVersion("v1");
    expect(os.state().indices).not.toContain("t1-v-v1");
    await expect(
      index.upsert("v2", [{ passage: items[1]!.passage, vector: Float32Array.from([1, 0]) }]),
    ).rejects.toThrow(/Vector dimension mismatch. Expected: 4, Given: 2/);
  });
});
