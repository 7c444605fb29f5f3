import type { Client } from "@opensearch-project/opensearch";
import {
  DEFAULT_HYBRID_WEIGHTS,
  NotFoundError,
  ValidationError,
  type HybridWeights,
  type SearchHit,
  type SearchIndex,
} from "@genq/core";
import {
  hybridPipelineDefinition,
  hybridPipelineName,
  knnQuery,
  lexicalQuery,
  passageDocument,
  searchFilters,
  toPassage,
  type Source,
} from "./opensearch-documents.ts";

const CANDIDATES = 100;

export interface OpenSearchIndexOptions {
  /** Prefix of index and alias names (one deployment may share a domain). */
  prefix?: string;
  weights?: HybridWeights;
  /** Attempts for bulk items the cluster rejects (429, back-pressure). */
  maxBulkAttempts?: number;
}

/**
 * SearchIndex on OpenSearch: one index per version with a BM25 text field (title + text, English
 * analyser) and a `knn_vector` (HNSW, cosine); bulk upserts retry the items the cluster rejects; hybrid
 * search goes through a search pipeline that min-max normalises and weights the lexical and k-NN
 * scores; filters are term filters (tenant included), a `prefix` query for a source-path prefix and a
 * `terms` filter on `metadataTerms` (`key=value` keywords) per metadata key; promotion swaps the corpus's
 * serving alias in one atomic update. Metadata itself is kept in `_source` only (an object with
 * `enabled: false`), so documents' keys never grow the mapping. Replacing documents indexes the new
 * passages, then deletes the documents' other passages by query with a refresh, so a search never sees
 * a deleted passage afterwards.
 */
export function createOpenSearchSearchIndex(
  client: Client,
  options: OpenSearchIndexOptions = {},
): SearchIndex & { ensurePipeline(): Promise<void> } {
  const prefix = options.prefix ?? "genq";
  const weights = options.weights ?? DEFAULT_HYBRID_WEIGHTS;
  const indexName = (version: string) => `${prefix}-v-${version}`.toLowerCase();
  const alias = (corpus: string) => `${prefix}-serving-${corpus}`;
  const versionOf = (index: string) => index.slice(`${prefix}-v-`.length);
  // Each version records its corpus's tenant in the index mapping's _meta; passages are stamped with it.
  const tenants = new Map<string, string>();
  const tenantOf = async (version: string) => {
    let tenant = tenants.get(version);
    if (tenant === undefined) {
      const out = await client.indices.getMapping({ index: indexName(version) });
      const mapping = Object.values(out.body as Record<string, { mappings?: { _meta?: { tenant?: string } } }>)[0];
      tenants.set(version, (tenant = mapping?.mappings?._meta?.tenant ?? ""));
    }
    return tenant;
  };

  // OpenSearch refuses a search naming a pipeline it does not hold ("Pipeline genq-hybrid is not defined",
  // opensearch-project/OpenSearch SearchPipelineService.resolvePipeline), so a pipeline is put before
  // this process's first hybrid search with its weights, and the default one whenever a version is
  // created. Putting one is idempotent (PUT replaces the definition), so concurrent cold starts are
  // harmless. The weights live in the pipeline, so each weighting a search asks for has its own.
  const ready = new Map<string, Promise<void>>();
  const ensurePipeline = (w: HybridWeights, force = false) => {
    const name = hybridPipelineName(w, weights);
    let p = ready.get(name);
    if (force || !p) {
      p = client.transport
        .request({ method: "PUT", path: `/_search/pipeline/${name}`, body: hybridPipelineDefinition(w) })
        .then(
          () => undefined,
          (error: unknown) => {
            ready.delete(name);
            throw error;
          },
        );
      ready.set(name, p);
    }
    return p.then(() => name);
  };
  const pipelineMissing = (error: unknown) =>
    /Pipeline \S+ is not defined/.test(
      JSON.stringify((error as { meta?: { body?: unknown } }).meta?.body ?? (error as Error).message ?? ""),
    );

  return {
    /** Create or replace the hybrid search pipeline; safe to call any number of times. */
    async ensurePipeline() {
      await ensurePipeline(weights, true);
    },
    async createVersion({ version, dimensions, tenant }) {
      if (!Number.isInteger(dimensions) || dimensions <= 0)
        throw new ValidationError("index dimensions must be a positive integer");
      await ensurePipeline(weights, true);
      const exists = await client.indices.exists({ index: indexName(version) });
      if (exists.body) return;
      await client.indices.create({
        index: indexName(version),
        body: {
          settings: { index: { knn: true, number_of_shards: 1 } },
          mappings: {
            _meta: { tenant },
            properties: {
              passageId: { type: "keyword" },
              corpus: { type: "keyword" },
              documentId: { type: "keyword" },
              sourcePath: { type: "keyword" },
              tenant: { type: "keyword" },
              revision: { type: "keyword" },
              trained: { type: "boolean" },
              metadataTerms: { type: "keyword" },
              metadata: { type: "object", enabled: false },
              title: { type: "text", analyzer: "english" },
              text: { type: "text", analyzer: "english" },
              ordinal: { type: "integer" },
              embedding: {
                type: "knn_vector",
                dimension: dimensions,
                method: {
                  name: "hnsw",
                  space_type: "cosinesimil",
                  engine: "lucene",
                  parameters: { m: 16, ef_construction: 128 },
                },
              },
            },
          },
        },
      });
    },
    async upsert(version, items) {
      const tenant = await tenantOf(version);
      let pending = items.map((item) => passageDocument(tenant, item));
      for (let attempt = 1; pending.length; attempt++) {
        const body = pending.flatMap((item) => [{ index: { _index: indexName(version), _id: item.id } }, item.doc]);
        const out = await client.bulk({ body, refresh: false });
        const results = (
          out.body as {
            items: Array<{ index: { status: number; error?: { reason?: string; caused_by?: { reason?: string } } } }>;
          }
        ).items;
        const rejected = pending.filter((_, i) => results[i]?.index.status === 429);
        const failed = results
          .map((r, i) => ({ r, item: pending[i]! }))
          .filter(({ r }) => r.index.status >= 300 && r.index.status !== 429);
        if (failed.length) {
          const e = failed[0]!.r.index.error;
          throw new Error(
            `OpenSearch refused ${failed.length} passage(s), first "${failed[0]!.item.id}": ${[e?.reason, e?.caused_by?.reason].filter(Boolean).join(": ") || failed[0]!.r.index.status}`,
          );
        }
        if (rejected.length && attempt >= (options.maxBulkAttempts ?? 5))
          throw new Error(`OpenSearch kept rejecting ${rejected.length} passage(s) (429) after ${attempt} attempts`);
        pending = rejected;
        if (pending.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    },
    async replaceDocuments(version, { sourcePaths, items }) {
      if (items.length) await this.upsert(version, items);
      if (!sourcePaths.length) return;
      const index = indexName(version);
      // Delete by query works on what a refresh made visible (OpenSearch docs, "Delete by query"): refresh
      // first so earlier writes are seen, and ask for a refresh after it so searches see the result.
      await client.indices.refresh({ index });
      const keep = items.map((i) => i.passage.id);
      for (let i = 0; i < sourcePaths.length; i += 500) {
        await client.deleteByQuery({
          index,
          refresh: true,
          conflicts: "proceed",
          body: {
            query: {
              bool: {
                filter: [{ terms: { sourcePath: sourcePaths.slice(i, i + 500) } }],
                ...(keep.length ? { must_not: [{ ids: { values: keep } }] } : {}),
              },
            },
          },
        } as Parameters<Client["deleteByQuery"]>[0]);
      }
      if (items.length) await client.indices.refresh({ index });
    },
    async documents(version, sourcePaths) {
      const index = indexName(version);
      await client.indices.refresh({ index });
      const out: Array<{ sourcePath: string; revision: string }> = [];
      let after: Record<string, string> | undefined;
      // A composite aggregation pages through every (source path, revision) pair (OpenSearch docs, "Composite").
      do {
        const res = await client.search({
          index,
          body: {
            size: 0,
            ...(sourcePaths ? { query: { bool: { filter: [{ terms: { sourcePath: [...sourcePaths] } }] } } } : {}),
            aggs: {
              docs: {
                composite: {
                  size: 1000,
                  sources: [
                    { sourcePath: { terms: { field: "sourcePath" } } },
                    { revision: { terms: { field: "revision", missing_bucket: true } } },
                  ],
                  ...(after ? { after } : {}),
                },
              },
            },
          },
        } as Parameters<Client["search"]>[0]);
        const agg = (
          res.body as unknown as {
            aggregations: {
              docs: {
                buckets: Array<{ key: { sourcePath: string; revision: string | null } }>;
                after_key?: Record<string, string>;
              };
            };
          }
        ).aggregations.docs;
        for (const b of agg.buckets) out.push({ sourcePath: b.key.sourcePath, revision: b.key.revision ?? "" });
        after = agg.buckets.length ? agg.after_key : undefined;
      } while (after);
      return out;
    },
    async counts(version) {
      // No refresh of its own: writes through replaceDocuments refresh, others show within the refresh interval.
      const index = indexName(version);
      const count = async (query?: object) =>
        (
          (await client.count({ index, ...(query ? { body: { query } } : {}) } as Parameters<Client["count"]>[0]))
            .body as { count: number }
        ).count;
      return { passages: await count(), untrained: await count({ term: { trained: false } }) };
    },
    async unserve(corpus) {
      const current = await this.servingVersion(corpus);
      if (current)
        await client.indices.updateAliases({
          body: { actions: [{ remove: { index: indexName(current), alias: alias(corpus) } }] },
        });
    },
    async promote(corpus, version) {
      await client.indices.refresh({ index: indexName(version) });
      const current = await this.servingVersion(corpus);
      await client.indices.updateAliases({
        body: {
          actions: [
            ...(current ? [{ remove: { index: indexName(current), alias: alias(corpus) } }] : []),
            { add: { index: indexName(version), alias: alias(corpus) } },
          ],
        },
      });
    },
    async servingVersion(corpus) {
      const exists = await client.indices.existsAlias({ name: alias(corpus) });
      if (!exists.body) return null;
      const out = await client.indices.getAlias({ name: alias(corpus) });
      const index = Object.keys(out.body as Record<string, unknown>)[0];
      return index ? versionOf(index) : null;
    },
    async search({ corpus, version, query, vector, k, mode, filter, weights: asked }) {
      const target = version ? indexName(version) : alias(corpus);
      if (!version && !(await this.servingVersion(corpus)))
        throw new NotFoundError(`corpus "${corpus}" has no search index yet`);
      if (mode !== "lexical" && !vector) throw new ValidationError(`${mode} search needs a query vector`);
      const f = searchFilters(filter);
      // A query with nothing the model knows encodes to zeros: close to nothing, and OpenSearch refuses a
      // zero vector against a cosine field (k-NN PR #1501), so it matches nothing semantically.
      const empty = mode !== "lexical" && !vector!.some((x) => x !== 0);
      if (empty && mode === "semantic") return [];
      const bodyQuery =
        mode === "lexical"
          ? { bool: { must: [lexicalQuery(query)], filter: f } }
          : mode === "semantic"
            ? knnQuery(vector!, k, filter)
            : {
                hybrid: {
                  queries: [
                    { bool: { must: [lexicalQuery(query)], filter: f } },
                    empty ? { match_none: {} } : knnQuery(vector!, CANDIDATES, filter),
                  ],
                },
              };
      const pipeline = mode === "hybrid" ? await ensurePipeline(asked ?? weights) : undefined;
      const request = {
        index: target,
        body: {
          size: k,
          query: bodyQuery,
          _source: { excludes: ["embedding", "metadataTerms"] },
          highlight: {
            fields: { text: { fragment_size: 160, number_of_fragments: 1 } },
            pre_tags: ["<mark>"],
            post_tags: ["</mark>"],
          },
        },
        ...(pipeline ? { search_pipeline: pipeline } : {}),
      } as Parameters<Client["search"]>[0];
      let out;
      try {
        out = await client.search(request);
      } catch (error) {
        // Someone removed the pipeline after this process put it: put it again once and retry.
        if (!pipeline || !pipelineMissing(error)) throw error;
        await ensurePipeline(asked ?? weights, true);
        out = await client.search(request);
      }
      const hits = (
        out.body as { hits: { hits: Array<{ _score: number; _source: Source; highlight?: { text?: string[] } }> } }
      ).hits.hits;
      return hits.map((h): SearchHit => ({
        passage: toPassage(h._source),
        score: h._score,
        scores: mode === "lexical" ? { lexical: h._score } : mode === "semantic" ? { semantic: h._score } : {},
        highlights: h.highlight?.text ?? [],
      }));
    },
    async dropVersion(version) {
      const index = indexName(version);
      // Only a missing index reads as unaliased: any other failure leaves the version where it is.
      const aliases = await client.indices.getAlias({ index }).catch((error: unknown) => {
        if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return { body: {} };
        throw error;
      });
      const attached = Object.values(aliases.body as Record<string, { aliases?: Record<string, unknown> }>).flatMap(
        (v) => Object.keys(v.aliases ?? {}),
      );
      if (attached.length)
        throw new ValidationError(
          `index version "${version}" is serving (${attached.join(", ")}) and cannot be dropped`,
        );
      await client.indices.delete({ index, ignore_unavailable: true });
    },
  };
}
