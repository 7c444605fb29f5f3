import { Corpus, DocumentRecord, IndexVersion, ModelVersion, Run } from "../domain.ts";
import { ConcurrentUpdateError, NotFoundError } from "../errors.ts";
import { parseEvent, type GenqEvent } from "../events.ts";
import type { BlobInfo, BlobStore, Clock, EventHandler, EventPublisher, PipelineRepository, SearchHit, SearchIndex } from "../ports.ts";

/**
 * In-memory ports for core's own tests (never used by a runtime): plain maps with the contracts' rules —
 * compare-and-set versions, events deduplicated by id — so use cases are tested without any adapter.
 */

export function memoryBlobStore(): BlobStore & { keys(): string[] } {
  const objects = new Map<string, { body: Uint8Array; at: string }>();
  const bytes = (b: Uint8Array | string) => (typeof b === "string" ? new TextEncoder().encode(b) : b);
  return {
    keys: () => [...objects.keys()].sort(),
    async put(key, body) {
      objects.set(key, { body: bytes(body), at: new Date().toISOString() });
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
      return o ? { key, size: o.body.length, modifiedAt: o.at } : null;
    },
    async list(prefix) {
      return [...objects.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b)).map(([key, o]) => ({ key, size: o.body.length, modifiedAt: o.at }));
    },
    async delete(key) {
      objects.delete(key);
    },
  };
}

export function memoryRepository(): PipelineRepository {
  const tables = { corpus: new Map<string, string>(), document: new Map<string, string>(), run: new Map<string, string>(), model: new Map<string, string>(), index: new Map<string, string>() };
  const cas = <T extends { version: number }>(table: Map<string, string>, id: string, record: T, expected: number | null): T => {
    const current = table.get(id);
    const currentVersion = current ? (JSON.parse(current) as { version: number }).version : null;
    if (expected === null ? current !== undefined : currentVersion !== expected) throw new ConcurrentUpdateError(`${id} changed`);
    const next = { ...record, version: expected === null ? 0 : expected + 1 };
    table.set(id, JSON.stringify(next));
    return next;
  };
  const all = <T>(table: Map<string, string>, parse: (x: unknown) => T) => [...table.values()].map((v) => parse(JSON.parse(v)));
  return {
    getCorpus: async (name) => (tables.corpus.has(name) ? Corpus.parse(JSON.parse(tables.corpus.get(name)!)) : null),
    listCorpora: async (tenant) => all(tables.corpus, (x) => Corpus.parse(x)).filter((c) => tenant === undefined || c.tenant === tenant),
    putCorpus: async (c, expected) => cas(tables.corpus, c.name, c, expected),
    getDocument: async (corpus, path) => (tables.document.has(`${corpus}/${path}`) ? DocumentRecord.parse(JSON.parse(tables.document.get(`${corpus}/${path}`)!)) : null),
    listDocuments: async (corpus) => all(tables.document, (x) => DocumentRecord.parse(x)).filter((d) => d.corpus === corpus),
    putDocument: async (d, expected) => cas(tables.document, `${d.corpus}/${d.path}`, d, expected),
    getRun: async (id) => (tables.run.has(id) ? Run.parse(JSON.parse(tables.run.get(id)!)) : null),
    listRuns: async (corpus) => all(tables.run, (x) => Run.parse(x)).filter((r) => r.corpus === corpus).sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    putRun: async (r, expected) => cas(tables.run, r.id, r, expected),
    putModelVersion: async (m) => void tables.model.set(m.id, JSON.stringify(m)),
    getModelVersion: async (id) => (tables.model.has(id) ? ModelVersion.parse(JSON.parse(tables.model.get(id)!)) : null),
    putIndexVersion: async (i) => void tables.index.set(i.id, JSON.stringify(i)),
    getIndexVersion: async (id) => (tables.index.has(id) ? IndexVersion.parse(JSON.parse(tables.index.get(id)!)) : null),
    listIndexVersions: async (corpus) => all(tables.index, (x) => IndexVersion.parse(x)).filter((i) => i.corpus === corpus),
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
export function scriptedSearchIndex(rank: (version: string, mode: string, query: string) => string[]): SearchIndex & { promotions: string[] } {
  const versions = new Map<string, { corpus: string }>();
  const serving = new Map<string, string>();
  const promotions: string[] = [];
  return {
    promotions,
    async createVersion({ corpus, version }) {
      versions.set(version, { corpus });
    },
    async upsert() {},
    async promote(corpus, version) {
      serving.set(corpus, version);
      promotions.push(version);
    },
    servingVersion: async (corpus) => serving.get(corpus) ?? null,
    async search({ corpus, version, query, mode, k }) {
      const v = version ?? serving.get(corpus)!;
      return rank(v, mode, query).slice(0, k).map((id, i): SearchHit => ({
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
