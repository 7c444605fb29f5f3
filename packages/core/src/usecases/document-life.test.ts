import { describe, expect, it } from "vitest";
import { keys, type Passage, type Run } from "../domain.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { silentLogger, type Encoder } from "../ports.ts";
import { promoteIndex } from "../stages/promote-index.ts";
import { memoryBlobStore, memoryBus, memoryRepository, memorySearchIndex } from "../testing/memory-ports.ts";
import { chunkDocument } from "./chunk-document.ts";
import { collectPassageGarbage } from "./collect-passages.ts";
import { deleteCorpus } from "./delete-corpus.ts";
import { deleteDocument } from "./delete-document.ts";
import { parseRetrainPolicy, refreshDocument, retrainIfDue, trainedBy } from "./fresh-documents.ts";
import { loadCorpusPassages } from "./load-passages.ts";
import { normalizeMetadata } from "./metadata.ts";
import { startRun } from "./start-run.ts";
import { uploadDocument } from "./upload-document.ts";

const encoder: Encoder = {
  dimensions: 2,
  encode: async (texts) => texts.map((t) => Float32Array.from([t.length % 2, 1])),
};

function setup() {
  let now = Date.parse("2026-03-01T00:00:00Z");
  const clock = { now: () => new Date((now += 1000)) };
  const deps = {
    repo: memoryRepository(),
    blobs: memoryBlobStore(),
    events: memoryBus(clock),
    index: memorySearchIndex(),
    clock,
    logger: silentLogger,
    encoderFor: async () => encoder,
    deployer: { retire: async (id: string) => void retired.push(id) },
    parse: async (path: string, bytes: Uint8Array) => [
      { id: path, title: path, sections: [{ title: "", text: new TextDecoder().decode(bytes) }] },
    ],
    maxDocumentBytes: 1 << 20,
    defaultTenant: "acme",
    stages: {} as never,
  };
  const retired: string[] = [];
  const upload = async (path: string, text: string, metadata?: Record<string, string>) => {
    const key = keys.doc("docs", path);
    await deps.blobs.put(key, text, metadata ? { metadata } : undefined);
    return chunkDocument(deps, {
      id: `u-${path}-${now}`,
      time: "t",
      type: "document.uploaded",
      corpus: "docs",
      detail: { key, size: text.length },
    });
  };
  /** A served corpus: the current documents in version v1, promoted, as a first run would leave it. */
  const serve = async () => {
    await deps.repo.putRun(
      {
        id: "r1",
        corpus: "docs",
        tenant: "acme",
        state: "ready",
        reason: null,
        createdAt: "2026-03-01T00:00:00Z",
        updatedAt: "t",
        artifacts: {},
        history: [],
        outcomePublished: true,
        version: 0,
      },
      null,
    );
    await deps.repo.putModelVersion({
      id: "r1-model",
      corpus: "docs",
      runId: "r1",
      kind: "tuned",
      artifactKey: "m/",
      endpoint: null,
      createdAt: "t",
    });
    await deps.repo.putIndexVersion({
      id: "v1",
      corpus: "docs",
      runId: "r1",
      modelId: "r1-model",
      passageCount: 0,
      createdAt: "t",
    });
    await deps.index.createVersion({ corpus: "docs", version: "v1", dimensions: 2, tenant: "acme" });
    // The run's build: every document's passages, embedded and trained on.
    for (const doc of await deps.repo.listDocuments("docs")) {
      const passages = new TextDecoder()
        .decode(await deps.blobs.get(doc.passagesKey!))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Passage);
      await deps.index.upsert(
        "v1",
        await Promise.all(
          passages.map(async (passage) => ({ passage, vector: (await encoder.encode([passage.text], "passage"))[0]! })),
        ),
      );
    }
    await promoteIndex(deps, { corpus: "docs", runId: "r1", indexVersion: "v1", setup: null });
  };
  const search = async (q: string) =>
    (await deps.index.search({ corpus: "docs", query: q, k: 10, mode: "lexical" })).map((h) => h.passage.sourcePath);
  return { deps, upload, serve, search, retired, bus: deps.events };
}

describe("metadata", () => {
  it("keeps what a header declares, leniently, and refuses what an API caller sends off the rules, naming each problem", () => {
    expect(
      normalizeMetadata({
        Title: "Vacuum",
        "Last Reviewed": new Date("2026-01-02T00:00:00Z"),
        tags: ["ops", 3],
        owner: { team: "db" },
        empty: "",
        none: null,
      }),
    ).toEqual({
      title: "Vacuum",
      last_reviewed: "2026-01-02T00:00:00.000Z",
      tags: ["ops", "3"],
      "owner.team": "db",
    });
    expect(() => normalizeMetadata({ Team: "ops", nested: { a: 1 } }, { strict: true })).toThrow(ValidationError);
    expect(() => normalizeMetadata({ Team: "ops", nested: { a: 1 } }, { strict: true })).toThrow(
      /key "Team" is not allowed.*metadata\.nested: must be a string or a list of strings/,
    );
    expect(() => normalizeMetadata("x", { strict: true, field: "metadata" })).toThrow(/metadata: must be an object/);
  });
});

describe("the life of a document", () => {
  it("chunks an upload with its metadata into passages that carry it; the same bytes with other metadata are a new revision", async () => {
    const { deps, upload } = setup();
    expect(await upload("a.md", "Vacuum reclaims storage.", { team: "ops" })).toBe("chunked");
    const first = (await deps.repo.getDocument("docs", "a.md"))!;
    expect(first).toMatchObject({ metadata: { team: "ops" }, chunkedAt: expect.any(String) });
    const passages = new TextDecoder()
      .decode(await deps.blobs.get(first.passagesKey!))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(passages[0]).toMatchObject({
      metadata: { team: "ops" },
      revision: first.passagesKey!.split("/").pop()!.replace(".jsonl", ""),
    });
    expect(await upload("a.md", "Vacuum reclaims storage.", { team: "ops" })).toBe("unchanged");
    expect(await upload("a.md", "Vacuum reclaims storage.", { team: "dev" })).toBe("chunked");
    const second = (await deps.repo.getDocument("docs", "a.md"))!;
    expect(second.passagesKey).not.toBe(first.passagesKey);
    expect(await deps.blobs.head(first.passagesKey!)).toBeNull();
  });

  it("a new, a changed and a deleted document reach the serving index without a run; their passages count as untrained", async () => {
    const { deps, upload, serve, search } = setup();
    await upload("a.md", "Vacuum reclaims storage.");
    await serve();
    expect(await search("vacuum")).toEqual(["a.md"]);
    expect(await deps.index.counts("v1")).toEqual({ passages: 1, untrained: 0 });

    await upload("b.md", "Replication slots keep WAL.");
    expect(await refreshDocument(deps, { corpus: "docs", path: "b.md" })).toBe("indexed");
    expect(await refreshDocument(deps, { corpus: "docs", path: "b.md" })).toBe("unchanged");
    expect(await search("replication")).toEqual(["b.md"]);
    expect(await deps.index.counts("v1")).toEqual({ passages: 2, untrained: 1 });

    await upload("a.md", "Autovacuum tunes itself.");
    await refreshDocument(deps, { corpus: "docs", path: "a.md" });
    expect(await search("reclaims")).toEqual([]);
    expect(await search("autovacuum")).toEqual(["a.md"]);

    expect(await deleteDocument(deps, { corpus: "docs", path: "b.md", tenant: "acme" })).toBe("deleted");
    expect(await search("replication")).toEqual([]);
    expect(await deps.repo.getDocument("docs", "b.md")).toBeNull();
    expect(await deps.blobs.head(keys.doc("docs", "b.md"))).toBeNull();
    expect(deps.events.published.filter((e) => e.type === "document.deleted").map((e) => e.detail)).toEqual([
      { path: "b.md" },
    ]);
    // Idempotent: deleting again deletes nothing and says so (the API answers 404; an event is a no-op).
    expect(await deleteDocument(deps, { corpus: "docs", path: "b.md" })).toBe("missing");
    expect(deps.events.published.filter((e) => e.type === "document.deleted")).toHaveLength(1);
    await expect(deleteDocument(deps, { corpus: "docs", path: "a.md", tenant: "other" })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(deleteDocument(deps, { corpus: "docs", path: "../a.md" })).rejects.toBeInstanceOf(ValidationError);
  });

  it("announces every chunking and every deletion, also of content the document had before (a reverted edit, a re-upload)", async () => {
    const { deps, upload, bus } = setup();
    const seen = (type: string) => bus.published.filter((e) => e.type === type).length;
    await upload("guide.md", "Vacuum reclaims storage.");
    await upload("guide.md", "Vacuum reclaims storage, and analyzes.");
    await upload("guide.md", "Vacuum reclaims storage.");
    expect(seen("document.chunked")).toBe(3);
    await upload("guide.md", "Vacuum reclaims storage.");
    expect(seen("document.chunked")).toBe(3);
    await deleteDocument(deps, { corpus: "docs", path: "guide.md" });
    await upload("guide.md", "Vacuum reclaims storage.");
    await deleteDocument(deps, { corpus: "docs", path: "guide.md" });
    expect([seen("document.chunked"), seen("document.deleted")]).toEqual([4, 2]);
  });

  it("keeps the passages a run in progress may read until the run ends, then collects them", async () => {
    const { deps, upload } = setup();
    await upload("a.md", "Vacuum reclaims storage.");
    await upload("b.md", "Indexes speed up reads.");
    const run = await startRun(deps, { corpus: "docs", tenant: "acme" });
    const b = (await deps.repo.getDocument("docs", "b.md"))!;
    await deleteDocument(deps, { corpus: "docs", path: "b.md" });
    expect(await deps.blobs.head(b.passagesKey!)).not.toBeNull();
    expect(await collectPassageGarbage(deps, "docs", "2027-01-01T00:00:00Z")).toBe(0);
    await deps.repo.putRun({ ...(await deps.repo.getRun(run.id))!, state: "failed" }, 0);
    expect(await collectPassageGarbage(deps, "docs", "2027-01-01T00:00:00Z")).toBe(1);
    expect(await deps.blobs.head(b.passagesKey!)).toBeNull();
    expect(await deps.blobs.head((await deps.repo.getDocument("docs", "a.md"))!.passagesKey!)).not.toBeNull();
  });

  it("a promoted version is brought up to date with documents added, changed or deleted while its run worked", async () => {
    const { deps, upload, serve, search } = setup();
    await upload("a.md", "Vacuum reclaims storage.");
    await upload("b.md", "Replication slots keep WAL.");
    await serve();
    // A second run's version, built from the documents as they were; then the corpus changes under it.
    await deps.index.createVersion({ corpus: "docs", version: "v2", dimensions: 2, tenant: "acme" });
    await deps.index.upsert("v2", deps.index.passages("v1"));
    await deleteDocument(deps, { corpus: "docs", path: "b.md" });
    await upload("c.md", "Checkpoints flush dirty pages.");
    await promoteIndex(deps, { corpus: "docs", runId: "r2", indexVersion: "v2", setup: null });
    expect(await deps.index.servingVersion("docs")).toBe("v2");
    expect(await search("replication")).toEqual([]);
    expect(await search("checkpoints")).toEqual(["c.md"]);
    expect(await deps.index.counts("v2")).toEqual({ passages: 2, untrained: 1 });
  });

  it("retrains by itself once untrained passages reach the policy's share, never while a run is in progress, and after a rejected retraining only once as much is new again", async () => {
    const { deps, upload, serve } = setup();
    await upload("a.md", "Vacuum reclaims storage.");
    await serve();
    const policy = parseRetrainPolicy("50%");
    const start = (input: { corpus: string; tenant: string }): Promise<Run> => startRun(deps, input);
    expect(await retrainIfDue({ ...deps, startRun: start }, { corpus: "docs", policy })).toBeNull();
    await upload("b.md", "Replication slots keep WAL.");
    await refreshDocument(deps, { corpus: "docs", path: "b.md" });
    const run = await retrainIfDue({ ...deps, startRun: start }, { corpus: "docs", policy });
    expect(run?.state).toBe("ingesting");
    expect(await retrainIfDue({ ...deps, startRun: start }, { corpus: "docs", policy })).toBeNull();
    expect(await retrainIfDue({ ...deps, startRun: start }, { corpus: "docs", policy: null })).toBeNull();
    // That retraining is rejected: the policy waits until as much new material has arrived again.
    await deps.repo.putRun({ ...(await deps.repo.getRun(run!.id))!, state: "rejected" }, run!.version);
    expect(await retrainIfDue({ ...deps, startRun: start }, { corpus: "docs", policy })).toBeNull();
    await upload("c.md", "Checkpoints flush dirty pages.");
    await refreshDocument(deps, { corpus: "docs", path: "c.md" });
    expect(await retrainIfDue({ ...deps, startRun: start }, { corpus: "docs", policy })).toBeNull();
    await upload("d.md", "Autovacuum workers run in the background.");
    await refreshDocument(deps, { corpus: "docs", path: "d.md" });
    expect((await retrainIfDue({ ...deps, startRun: start }, { corpus: "docs", policy }))?.state).toBe("ingesting");
    expect(parseRetrainPolicy("off")).toBeNull();
    expect(parseRetrainPolicy("500")).toEqual({ kind: "passages", value: 500 });
    expect(() => parseRetrainPolicy("lots")).toThrow(/not a retraining policy/);
  });
});

describe("deleting a corpus", () => {
  it("is refused while a run is in progress, then removes its index, models, objects and state", async () => {
    const { deps, upload, serve, retired } = setup();
    await upload("a.md", "Vacuum reclaims storage.");
    await serve();
    const run = await startRun(deps, { corpus: "docs", tenant: "acme" });
    await expect(deleteCorpus(deps, { corpus: "docs", tenant: "acme" })).rejects.toThrow(
      new ConflictError(`corpus "docs" has run ${run.id} in progress (ingesting): delete it once the run has ended`),
    );
    await deps.repo.putRun({ ...(await deps.repo.getRun(run.id))!, state: "failed" }, 0);
    await expect(deleteCorpus(deps, { corpus: "docs", tenant: "other" })).rejects.toBeInstanceOf(NotFoundError);
    const summary = await deleteCorpus(deps, { corpus: "docs", tenant: "acme" });
    expect(summary.runs).toBe(2);
    expect(retired.sort()).toEqual([`${run.id}-model`, "r1-model"].sort());
    expect(await deps.index.servingVersion("docs")).toBeNull();
    expect(deps.blobs.keys().filter((k) => k.startsWith("corpora/docs/"))).toEqual([]);
    expect(await deps.repo.getCorpus("docs")).toBeNull();
    await expect(deleteCorpus(deps, { corpus: "docs" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("a corpus whose deletion began takes no uploads and starts no run", async () => {
    const { deps, upload } = setup();
    await upload("a.md", "Vacuum reclaims storage.");
    const c = (await deps.repo.getCorpus("docs"))!;
    await deps.repo.putCorpus({ ...c, deletingSince: "2026-03-01T00:00:00Z" }, c.version);
    await expect(startRun(deps, { corpus: "docs", tenant: "acme" })).rejects.toThrow(/being deleted/);
    await expect(
      uploadDocument(deps, {
        tenant: "acme",
        corpus: "docs",
        path: "b.md",
        bytes: new Uint8Array([104]),
        maxBytes: 10,
      }),
    ).rejects.toThrow(/being deleted/);
  });
});

describe("what a run trained on", () => {
  it("counts documents chunked after the run began generating queries as untrained in its index", async () => {
    const { deps, upload } = setup();
    await upload("a.md", "Vacuum reclaims storage.");
    const run = await startRun(deps, { corpus: "docs", tenant: "acme" });
    const began = {
      at: deps.clock.now().toISOString(),
      from: "ingesting" as const,
      to: "generating" as const,
      event: "ingestion.completed",
    };
    await deps.repo.putRun({ ...(await deps.repo.getRun(run.id))!, state: "generating", history: [began] }, 0);
    await upload("late.md", "Checkpoints flush dirty pages.");
    const trained = await trainedBy(deps.repo, run.id);
    const passages = await loadCorpusPassages(deps, "docs");
    expect(passages.map((p) => [p.sourcePath, trained(p)])).toEqual([
      ["a.md", true],
      ["late.md", false],
    ]);
  });
});
