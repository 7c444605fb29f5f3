import { Corpus, DocumentRecord, IndexVersion, ModelVersion, Run } from "../domain.ts";
import { ConcurrentUpdateError, ConflictError, NotFoundError } from "../errors.ts";
import { parseEvent, type GenqEvent } from "../events.ts";
import {
  documentContribution,
  type BlobInfo,
  type BlobStore,
  type Clock,
  type EventHandler,
  type EventPublisher,
  type IndexItem,
  type PipelineRepository,
  type SearchHit,
  type SearchIndex,
} from "../ports.ts";
import { pageByKey } from "../usecases/pages.ts";

/**
 * In-memory ports for core's own tests (never used by a runtime): plain maps with the contracts' rules —
 * compare-and-set versions, events deduplicated by id — so use cases are tested without any adapter.
 */

export function memoryBlobStore(): BlobStore & { keys(): string[] } {
  const objects = new Map<string, { body: Uint8Array; at: string; metadata?: Record<string, string> }>();
  const bytes = (b: Uint8Array | string) => (typeof b === "string" ? new TextEncoder().encode(b) : b);
  return {
    keys: () => [...objects.keys()].sort(),
    async put(key, body, options) {
      objects.set(key, {
        body: bytes(body),
        at: new Date().toISOString(),
        ...(options?.metadata ? { metadata: options.metadata } : {}),
      });
    },
    async putStream(key, body) {
      const parts: Uint8Array[] = [];
      for await (const p of body) parts.push(p);
      objects.set(key, { body: Buffer.concat(parts), at: new Date().toISOString() });
    },
    async get(key) {
      const o = objects.get(key);
      if (!o) throw new NotFoundError(`no object ${key}`);
      return o.body;
    },
    async getStream(key) {
      const body = await this.get(key);
      return (async function* () {
        yield body;
      })();
    },
    async head(key): Promise<BlobInfo | null> {
      const o = objects.get(key);
      return o ? { key, size: o.body.length, modifiedAt: o.at, ...(o.metadata ? { metadata: o.metadata } : {}) } : null;
    },
    async list(prefix) {
      return [...objects.entries()]
        .filter(([k]) => k.startsWith(prefix))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, o]) => ({ key, size: o.body.length, modifiedAt: o.at }));
    },
    async delete(key) {
      objects.delete(key);
    },
    async deletePrefix(prefix) {
      const gone = [...objects.keys()].filter((k) => k.startsWith(prefix));
      gone.forEach((k) => objects.delete(k));
      return gone.length;
    },
  };
}

export function memoryRepository(): PipelineRepository {
  const tables = {
    corpus: new Map<string, string>(),
    document: new Map<string, string>(),
    run: new Map<string, string>(),
    model: new Map<string, string>(),
    index: new Map<string, string>(),
  };
  const cas = <T extends { version: number }>(
    table: Map<string, string>,
    id: string,
    record: T,
    expected: number | null,
  ): T => {
    const current = table.get(id);
    const currentVersion = current ? (JSON.parse(current) as { version: number }).version : null;
    if (expected === null ? current !== undefined : currentVersion !== expected)
      throw new ConcurrentUpdateError(`${id} changed`);
    const next = { ...record, version: expected === null ? 0 : expected + 1 };
    table.set(id, JSON.stringify(next));
    return next;
  };
  const all = <T>(table: Map<string, string>, parse: (x: unknown) => T) =>
    [...table.values()].map((v) => parse(JSON.parse(v)));
  return {
    getCorpus: async (name) => (tables.corpus.has(name) ? Corpus.parse(JSON.parse(tables.corpus.get(name)!)) : null),
    listCorpora: async (tenant) =>
      all(tables.corpus, (x) => Corpus.parse(x)).filter((c) => tenant === undefined || c.tenant === tenant),
    putCorpus: async (c, expected) => cas(tables.corpus, c.name, c, expected),
    async deleteCorpus(name) {
      tables.corpus.delete(name);
      for (const table of [tables.document, tables.run, tables.model, tables.index]) {
        for (const [id, v] of table) if ((JSON.parse(v) as { corpus: string }).corpus === name) table.delete(id);
      }
    },
    getDocument: async (corpus, path) =>
      tables.document.has(`${corpus}/${path}`)
        ? DocumentRecord.parse(JSON.parse(tables.document.get(`${corpus}/${path}`)!))
        : null,
    listDocuments: async (corpus) =>
      all(tables.document, (x) => DocumentRecord.parse(x)).filter((d) => d.corpus === corpus),
    putDocument: async (d, expected) => cas(tables.document, `${d.corpus}/${d.path}`, d, expected),
    async listDocumentsPage(corpus, page) {
      const docs = all(tables.document, (x) => DocumentRecord.parse(x))
        .filter((d) => d.corpus === corpus && (!page.status || d.status === page.status))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return pageByKey(docs, (d) => d.path, page);
    },
    async documentStats(corpus) {
      const total = { files: 0, chunkedFiles: 0, rejectedFiles: 0, documents: 0, passages: 0 };
      for (const d of all(tables.document, (x) => DocumentRecord.parse(x)).filter((x) => x.corpus === corpus)) {
        const c = documentContribution(d);
        for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += c[k];
      }
      return total;
    },
    async deleteDocument(corpus, path, expected) {
      const current = tables.document.get(`${corpus}/${path}`);
      if (!current || (JSON.parse(current) as { version: number }).version !== expected)
        throw new ConcurrentUpdateError(`${corpus}/${path} changed`);
      tables.document.delete(`${corpus}/${path}`);
    },
    getRun: async (id) => (tables.run.has(id) ? Run.parse(JSON.parse(tables.run.get(id)!)) : null),
    listRuns: async (corpus) =>
      all(tables.run, (x) => Run.parse(x))
        .filter((r) => r.corpus === corpus)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    putRun: async (r, expected) => cas(tables.run, r.id, r, expected),
    async listRunsPage(corpus, page) {
      const runs = all(tables.run, (x) => Run.parse(x))
        .filter((r) => r.corpus === corpus)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
      return pageByKey(runs, (r) => `${r.createdAt}#${r.id}`, page, true);
    },
    putModelVersion: async (m) => void tables.model.set(m.id, JSON.stringify(m)),
    getModelVersion: async (id) =>
      tables.model.has(id) ? ModelVersion.parse(JSON.parse(tables.model.get(id)!)) : null,
    putIndexVersion: async (i) => void tables.index.set(i.id, JSON.stringify(i)),
    getIndexVersion: async (id) =>
      tables.index.has(id) ? IndexVersion.parse(JSON.parse(tables.index.get(id)!)) : null,
    listIndexVersions: async (corpus) =>
      all(tables.index, (x) => IndexVersion.parse(x)).filter((i) => i.corpus === corpus),
  };
}

/** An in-memory event bus: publishing deduplicates by id; `deliver` hands pending events to a handler in order. */
export function memoryBus(clock: Clock = { now: () => new Date("2026-01-01T00:00:00Z") }): EventPublisher & {
  published: GenqEvent[];
  deliver(handler: EventHandler): Promise<number>;
} {
  const published: GenqEvent[] = [];
  const seen = new Set<string>();
  let next = 0;
  return {
    published,
    async publish(inputs) {
      const out: GenqEvent[] = [];
      for (const input of inputs) {
        const event = parseEvent({ ...input, id: input.id ?? `e${published.length}`, time: clock.now().toISOString() });
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        published.push(event);
        out.push(event);
      }
      return out;
    },
    async deliver(handler) {
      let delivered = 0;
      while (next < published.length) {
        await handler(published[next]!);
        next++;
        delivered++;
      }
      return delivered;
    },
  };
}

/**
 * A SearchIndex whose rankings are given by the test: `rank(version, mode, query)` returns passage ids.
 * Tracks versions, promotion and the serving version as the contract says.
 */
export function scriptedSearchIndex(
  rank: (version: string, mode: string, query: string) => string[],
): SearchIndex & { promotions: string[] } {
  const versions = new Map<string, { corpus: string }>();
  const serving = new Map<string, string>();
  const promotions: string[] = [];
  return {
    promotions,
    async createVersion({ corpus, version }) {
      versions.set(version, { corpus });
    },
    async upsert() {},
    async replaceDocuments() {},
    documents: async () => [],
    counts: async () => ({ passages: 0, untrained: 0 }),
    async unserve(corpus) {
      serving.delete(corpus);
    },
    async promote(corpus, version) {
      serving.set(corpus, version);
      promotions.push(version);
    },
    servingVersion: async (corpus) => serving.get(corpus) ?? null,
    async search({ corpus, version, query, mode, k }) {
      const v = version ?? serving.get(corpus)!;
      return rank(v, mode, query)
        .slice(0, k)
        .map((id, i): SearchHit => ({
          passage: { id, corpus, documentId: id, sourcePath: id, title: "", text: id, ordinal: 0 },
          score: 1 / (i + 1),
          scores: {},
          highlights: [],
        }));
    },
    async dropVersion(version) {
      versions.delete(version);
    },
  };
}

/**
 * A working in-memory SearchIndex for core's tests: versions hold passages with their revision and
 * whether they were trained on; lexical search ranks by how many query words a passage contains.
 */
export function memorySearchIndex(): SearchIndex & { passages(version: string): IndexItem[] } {
  const versions = new Map<string, { corpus: string; items: Map<string, IndexItem> }>();
  const serving = new Map<string, string>();
  const version = (v: string) => {
    const found = versions.get(v);
    if (!found) throw new NotFoundError(`index version "${v}" not found`);
    return found;
  };
  return {
    passages: (v) => [...version(v).items.values()],
    async createVersion({ corpus, version: v }) {
      if (!versions.has(v)) versions.set(v, { corpus, items: new Map() });
    },
    async upsert(v, items) {
      for (const item of items) version(v).items.set(item.passage.id, item);
    },
    async replaceDocuments(v, { sourcePaths, items }) {
      const target = version(v).items;
      for (const [id, item] of target) if (sourcePaths.includes(item.passage.sourcePath)) target.delete(id);
      for (const item of items) target.set(item.passage.id, item);
    },
    async documents(v, sourcePaths) {
      const out = new Map<string, string>();
      for (const item of version(v).items.values())
        if (!sourcePaths || sourcePaths.includes(item.passage.sourcePath))
          out.set(item.passage.sourcePath, item.passage.revision ?? "");
      return [...out].map(([sourcePath, revision]) => ({ sourcePath, revision }));
    },
    async counts(v) {
      const items = [...version(v).items.values()];
      return { passages: items.length, untrained: items.filter((i) => i.trained === false).length };
    },
    async promote(corpus, v) {
      version(v);
      serving.set(corpus, v);
    },
    servingVersion: async (corpus) => serving.get(corpus) ?? null,
    async unserve(corpus) {
      serving.delete(corpus);
    },
    async search({ corpus, version: v, query, k }) {
      const chosen = v ?? serving.get(corpus);
      if (!chosen) throw new NotFoundError(`corpus "${corpus}" has no search index yet`);
      const words = query.toLowerCase().split(/\W+/).filter(Boolean);
      return [...version(chosen).items.values()]
        .map((i) => ({ i, score: words.filter((w) => i.passage.text.toLowerCase().includes(w)).length }))
        .filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score)
        .slice(0, k)
        .map(({ i, score }): SearchHit => ({ passage: i.passage, score, scores: { lexical: score }, highlights: [] }));
    },
    async dropVersion(v) {
      const found = versions.get(v);
      if (found && serving.get(found.corpus) === v) throw new ConflictError(`index version "${v}" is serving`);
      versions.delete(v);
    },
  };
}
export { corpusRecord, runRecord } from "./fixtures.ts";
