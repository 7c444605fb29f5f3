import { describe, expect, it } from "vitest";
import { keys } from "../domain.ts";
import { ValidationError } from "../errors.ts";
import { silentLogger, systemClock, type ModelDeployer, type PassageIndexer } from "../ports.ts";
import { memoryBlobStore, memoryBus, memoryRepository, scriptedSearchIndex } from "../testing/memory-ports.ts";
import { completeQueryGeneration } from "./generated-queries.ts";
import { createPipelineStages, type PipelineStageDeps } from "./pipeline-stages.ts";
import { promoteIndex } from "./promote-index.ts";

function setup(overrides: Partial<PipelineStageDeps> = {}) {
  const calls: Array<{ port: string; input: unknown }> = [];
  const record = (port: string) => async (input: unknown) => void calls.push({ port, input });
  const retired: string[] = [];
  const deps: PipelineStageDeps = {
    repo: memoryRepository(),
    blobs: memoryBlobStore(),
    events: memoryBus(),
    clock: systemClock,
    logger: silentLogger,
    index: scriptedSearchIndex(() => []),
    queryGenerator: { start: async (input) => (calls.push({ port: "queryGenerator", input }), { jobId: "q" }) },
    trainer: { start: async (input) => (calls.push({ port: "trainer", input }), { jobId: "t" }) },
    deployer: { deploy: async () => ({ ready: true, endpoint: null }), retire: async (id) => void retired.push(id) },
    indexer: { start: record("indexer") } as PassageIndexer,
    work: { run: async (_job, work) => work() },
    encoderFor: async () => ({ dimensions: 2, encode: async (texts) => texts.map(() => Float32Array.from([1, 0])) }),
    pendingUploads: async () => 0,
    gate: { minGain: 0 },
    ...overrides,
  };
  return { deps, calls, retired, bus: deps.events as ReturnType<typeof memoryBus>, stages: createPipelineStages(deps) };
}

const chunkedDoc = (path: string, passages: number) => ({
  corpus: "docs",
  path,
  contentHash: path,
  status: "chunked" as const,
  reason: null,
  size: 10,
  documentCount: 1,
  passageCount: passages,
  passagesKey: keys.passages("docs", path),
  updatedAt: "2026-01-01T00:00:00Z",
  version: 0,
});
const ref = { runId: "r1", corpus: "docs" };

describe("ingestion", () => {
  it("waits while uploads are still being chunked, then announces the corpus's passages", async () => {
    let pending = 2;
    const { deps, bus, stages } = setup({ pendingUploads: async () => pending });
    await deps.repo.putDocument(chunkedDoc("a.md", 3), null);
    await stages.completeIngestion({ type: "completeIngestion", ...ref });
    expect(bus.published).toHaveLength(0);
    pending = 0;
    await stages.completeIngestion({ type: "completeIngestion", ...ref });
    expect(bus.published.map((e) => [e.type, e.detail])).toEqual([
      ["ingestion.completed", { runId: "r1", passages: 3 }],
    ]);
  });

  it("refuses a corpus without passages, with a reason the user can act on", async () => {
    const { stages } = setup();
    await expect(stages.completeIngestion({ type: "completeIngestion", ...ref })).rejects.toThrow(
      new ValidationError("the corpus has no passages: ingest documents first"),
    );
  });
});

describe("query generation", () => {
  it("starts the generator with the corpus's passage objects in path order", async () => {
    const { deps, calls, stages } = setup();
    await deps.repo.putDocument(chunkedDoc("b.md", 1), null);
    await deps.repo.putDocument(chunkedDoc("a.md", 1), null);
    await stages.generateQueries({ type: "generateQueries", ...ref });
    expect(calls).toEqual([
      {
        port: "queryGenerator",
        input: {
          corpus: "docs",
          runId: "r1",
          passageKeys: [keys.passages("docs", "a.md"), keys.passages("docs", "b.md")],
        },
      },
    ]);
  });

  it("announces a finished generation again instead of generating twice", async () => {
    const { deps, calls, bus, stages } = setup();
    await completeQueryGeneration(deps, {
      corpus: "docs",
      runId: "r1",
      pairsKey: "p",
      heldoutKey: "h",
      pairs: 12,
      heldout: 2,
    });
    await stages.generateQueries({ type: "generateQueries", ...ref });
    expect(calls).toHaveLength(0);
    expect(bus.published.map((e) => e.type)).toEqual(["queries.generated"]);
  });

  it("refuses to complete with no training pairs", async () => {
    const { deps } = setup();
    await expect(
      completeQueryGeneration(deps, {
        corpus: "docs",
        runId: "r1",
        pairsKey: "p",
        heldoutKey: "h",
        pairs: 0,
        heldout: 0,
      }),
    ).rejects.toThrow(/no training pairs/);
  });
});

describe("deployment", () => {
  it("registers the run's model and announces it when it can encode at once", async () => {
    const { deps, bus, stages } = setup();
    await stages.deployModel({ type: "deployModel", ...ref, modelKey: "m/" });
    expect(await deps.repo.getModelVersion("r1-model")).toMatchObject({
      runId: "r1",
      artifactKey: "m/",
      kind: "tuned",
    });
    expect(bus.published.map((e) => [e.type, e.detail])).toEqual([
      ["model.deployed", { runId: "r1", modelId: "r1-model", endpoint: null }],
    ]);
  });

  it("waits for the runtime's own announcement when the endpoint is still being created", async () => {
    const deployer: ModelDeployer = {
      deploy: async () => ({ ready: false, endpoint: "genq-r1-enc" }),
      retire: async () => {},
    };
    const { deps, bus, stages } = setup({ deployer });
    await stages.deployModel({ type: "deployModel", ...ref, modelKey: "m/" });
    expect((await deps.repo.getModelVersion("r1-model"))!.endpoint).toBe("genq-r1-enc");
    expect(bus.published).toHaveLength(0);
  });
});

describe("indexing", () => {
  it("starts the indexer with the corpus owner's tenant, and announces a version already built", async () => {
    const { deps, calls, bus, stages } = setup();
    await deps.repo.putCorpus(
      {
        name: "docs",
        tenant: "acme",
        createdAt: "t",
        servingRunId: null,
        servingIndexVersion: null,
        servingSetup: null,
        activeRunId: "r1",
        version: 0,
      },
      null,
    );
    await stages.buildIndex({ type: "buildIndex", ...ref, modelId: "r1-model" });
    expect(calls).toEqual([
      {
        port: "indexer",
        input: {
          corpus: "docs",
          runId: "r1",
          modelId: "r1-model",
          indexVersion: "r1-index",
          tenant: "acme",
          passageKeys: [],
        },
      },
    ]);
    await deps.repo.putIndexVersion({
      id: "r1-index",
      corpus: "docs",
      runId: "r1",
      modelId: "r1-model",
      passageCount: 7,
      createdAt: "t",
    });
    await stages.buildIndex({ type: "buildIndex", ...ref, modelId: "r1-model" });
    expect(calls).toHaveLength(1);
    expect(bus.published.map((e) => [e.type, e.detail])).toEqual([
      ["index.built", { runId: "r1", indexVersion: "r1-index", passages: 7 }],
    ]);
  });
});

describe("promotion", () => {
  it("switches the serving index, records the serving run, retires the model that served before, and confirms", async () => {
    const { deps, retired, bus } = setup();
    await deps.repo.putCorpus(
      {
        name: "docs",
        tenant: "t",
        createdAt: "t",
        servingRunId: "r0",
        servingIndexVersion: "r0-index",
        servingSetup: null,
        activeRunId: "r1",
        version: 0,
      },
      null,
    );
    const chosen = { name: "hybrid-untuned" as const, weights: { lexical: 0.7, sparse: 0.3, semantic: 0 } };
    await promoteIndex(deps, { corpus: "docs", runId: "r1", indexVersion: "r1-index", setup: chosen });
    await promoteIndex(deps, { corpus: "docs", runId: "r1", indexVersion: "r1-index", setup: chosen });
    expect(await deps.index.servingVersion("docs")).toBe("r1-index");
    expect(await deps.repo.getCorpus("docs")).toMatchObject({
      servingRunId: "r1",
      servingIndexVersion: "r1-index",
      servingSetup: chosen,
    });
    expect(retired).toEqual(["r0-model"]);
    expect(bus.published.map((e) => e.type)).toEqual(["index.promoted"]);
  });
});
