import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { corpusRecord, runRecord } from "@genq/core/testing";
import {
  keys,
  systemClock,
  silentLogger,
  type EventInput,
  type EventPublisher,
  type GenqEvent,
  type PipelineCommand,
  type Run,
  type StageExecutors,
} from "@genq/core";
import {
  createFolderBlobStore,
  createSqlitePipelineRepository,
  createSqliteSearchIndex,
  openDatabase,
} from "@genq/local";
import { parseDocument } from "@genq/parsing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import type { HandlerDeps } from "./handler-deps.ts";
import { createS3ObjectEventsHandler } from "./s3-object-events.ts";
import { createSageMakerStateChangeHandler } from "./sagemaker-state-change.ts";
import { collectFinishedTransform } from "./transform-completion.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../../test/fixtures/events", name), "utf8"));

let deps: HandlerDeps;
let published: GenqEvent[];
let commands: PipelineCommand[];
let deadLetters: Array<{ reason: string }>;

beforeEach(() => {
  published = [];
  commands = [];
  deadLetters = [];
  const events: EventPublisher = {
    async publish(inputs: ReadonlyArray<EventInput & { id?: string }>) {
      const out = inputs.map((e) => ({ ...e, id: e.id ?? String(published.length), time: "t" }) as GenqEvent);
      published.push(...out);
      return out;
    },
  };
  const record = (type: string) => async (c: object) => void commands.push({ type, ...c } as PipelineCommand);
  const stages = Object.fromEntries(
    [
      "completeIngestion",
      "generateQueries",
      "startTraining",
      "deployModel",
      "buildIndex",
      "evaluate",
      "promoteIndex",
    ].map((t) => [t, record(t)]),
  ) as unknown as StageExecutors;
  const db = openDatabase(":memory:");
  deps = {
    repo: createSqlitePipelineRepository(db),
    blobs: createFolderBlobStore(mkdtempSync(join(tmpdir(), "genq-fn-"))),
    events,
    clock: systemClock,
    logger: silentLogger,
    stages,
    parse: parseDocument,
    maxDocumentBytes: 1024 * 1024,
    defaultTenant: "default",
    index: createSqliteSearchIndex(db),
    // Stands in for the serving SageMaker endpoint: one vector per text, of the index's size.
    encoderFor: async () => ({
      dimensions: 2,
      encode: async (texts: readonly string[]) => texts.map(() => Float32Array.from([1, 0])),
    }),
    retrainAfter: null,
    deadLetter: async (_e, reason) => void deadLetters.push({ reason }),
  };
});

/** A corpus that serves an (empty) index version, as after its first run. */
async function serveHandbook() {
  await deps.repo.putIndexVersion({
    id: "v1",
    corpus: "handbook",
    runId: "r1",
    modelId: "r1-model",
    passageCount: 0,
    createdAt: "t",
  });
  await deps.index.createVersion({ corpus: "handbook", version: "v1", dimensions: 2, tenant: "default" });
  await deps.index.promote("handbook", "v1");
}
const found = async (query: string) =>
  (await deps.index.search({ corpus: "handbook", query, k: 5, mode: "lexical" })).map((h) => h.passage.sourcePath);

const run = (state: Run["state"]): Run => runRecord(state, { artifacts: { pairsKey: "p" } });

describe("S3 object events handler", () => {
  it("chunks the document under its decoded key, and a duplicate notification changes nothing", async () => {
    await deps.blobs.put(
      "corpora/handbook/docs/guides/my notes/vacuum guide.md",
      "# Vacuum\n\nVACUUM reclaims storage occupied by dead tuples.",
    );
    const handler = createS3ObjectEventsHandler(async () => deps);
    await handler(fixture("s3-object-created.json"));
    const doc = await deps.repo.getDocument("handbook", "guides/my notes/vacuum guide.md");
    expect(doc).toMatchObject({ status: "chunked", passageCount: 1, version: 0 });
    await handler(fixture("s3-object-created.json"));
    expect(await deps.repo.getDocument("handbook", "guides/my notes/vacuum guide.md")).toEqual(doc);
    expect(new Set(published.map((e) => e.id)).size).toBe(1);
  });

  it("an object created through EventBridge is chunked and, in a served corpus, searchable at once without a run", async () => {
    await serveHandbook();
    await deps.blobs.put(
      "corpora/handbook/docs/guides/vacuum.md",
      "# Vacuum\n\nVACUUM reclaims storage occupied by dead tuples.",
    );
    await createS3ObjectEventsHandler(async () => deps)(fixture("s3-eventbridge-object-created.json"));
    expect(await deps.repo.getDocument("handbook", "guides/vacuum.md")).toMatchObject({
      status: "chunked",
      passageCount: 1,
    });
    expect(await found("dead tuples")).toEqual(["guides/vacuum.md"]);
    expect(await deps.index.counts("v1")).toEqual({ passages: 1, untrained: 1 });
  });

  // Replays S3's own payloads: EventBridge "Object Deleted" for a delete marker (versioned bucket) and for a
  // permanent deletion, and the notifications ObjectRemoved:Delete and ObjectRemoved:DeleteMarkerCreated.
  it.each([
    ["s3-eventbridge-object-deleted.json", "guides/vacuum.md"],
    ["s3-eventbridge-object-deleted-permanently.json", "guides/vacuum.md"],
    ["s3-object-removed-delete.json", "guides/my notes/vacuum guide.md"],
    ["s3-object-removed-delete-marker.json", "guides/my notes/vacuum guide.md"],
  ])(
    "%s deletes the document: gone from the serving index at once, and a replay changes nothing",
    async (name, path) => {
      await serveHandbook();
      const handler = createS3ObjectEventsHandler(async () => deps);
      const key = keys.doc("handbook", path);
      await deps.blobs.put(key, "# Vacuum\n\nVACUUM reclaims storage occupied by dead tuples.");
      await handler({
        source: "aws.s3",
        "detail-type": "Object Created",
        detail: { object: { key: key.replace(/ /g, "+"), size: 60, sequencer: "01" } },
      });
      expect(await found("dead tuples")).toEqual([path]);
      await deps.blobs.delete(key);
      await handler(fixture(name));
      expect(await deps.repo.getDocument("handbook", path)).toBeNull();
      expect(await found("dead tuples")).toEqual([]);
      expect(published.filter((e) => e.type === "document.deleted").map((e) => e.detail)).toEqual([{ path }]);
      await handler(fixture(name));
      expect(published.filter((e) => e.type === "document.deleted")).toHaveLength(1);
    },
  );

  it("ignores a late deletion of an object uploaded again since, and dead-letters what is not an S3 object event", async () => {
    const handler = createS3ObjectEventsHandler(async () => deps);
    await deps.blobs.put("corpora/handbook/docs/guides/vacuum.md", "# Vacuum\n\nVACUUM reclaims storage.");
    await handler(fixture("s3-eventbridge-object-created.json"));
    await handler(fixture("s3-eventbridge-object-deleted.json"));
    expect(await deps.repo.getDocument("handbook", "guides/vacuum.md")).toMatchObject({ status: "chunked" });
    await handler({ source: "aws.s3", "detail-type": "Object Restore Completed", detail: {} });
    expect(deadLetters.map((d) => d.reason)).toEqual(["not an S3 object created or deleted event"]);
  });

  // Removing a delete marker (DeleteObject with the marker's version id) makes the older version current again
  // and S3 reports it as ObjectRemoved:Delete, with no ObjectCreated (Amazon S3 user guide, "Managing delete
  // markers": https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManagingDelMarkers.html). Deleting the
  // current version by id likewise makes the previous version current. The document follows the object.
  it("a deletion event whose object is there again (a delete marker removed) brings the document back", async () => {
    await serveHandbook();
    const handler = createS3ObjectEventsHandler(async () => deps);
    const path = "guides/my notes/vacuum guide.md";
    const key = keys.doc("handbook", path);
    await deps.blobs.put(key, "# Vacuum\n\nVACUUM reclaims storage occupied by dead tuples.");
    await handler(fixture("s3-object-created.json"));
    await deps.blobs.delete(key);
    await handler(fixture("s3-object-removed-delete-marker.json"));
    expect(await found("dead tuples")).toEqual([]);
    await deps.blobs.put(key, "# Vacuum\n\nVACUUM reclaims storage occupied by dead tuples.");
    await handler(fixture("s3-object-removed-delete.json"));
    expect(await deps.repo.getDocument("handbook", path)).toMatchObject({ status: "chunked", passageCount: 1 });
    expect(await found("dead tuples")).toEqual([path]);
  });

  it("a key that is not URL-encoding (a '%' not followed by two hex digits) is taken as given, not a crash", async () => {
    const key = "corpora/handbook/docs/100% sure.md";
    await deps.blobs.put(key, "# Sure\n\nCheckpoints flush dirty pages to disk.");
    await createS3ObjectEventsHandler(async () => deps)({
      source: "aws.s3",
      "detail-type": "Object Created",
      time: "t",
      detail: { object: { key, size: 40, sequencer: "01" } },
    });
    expect(await deps.repo.getDocument("handbook", "100% sure.md")).toMatchObject({
      status: "chunked",
      passageCount: 1,
    });
  });

  // S3 → EventBridge → Lambda is how the deployed bucket reaches ingestion (payload from the Amazon S3
  // user guide, "EventBridge event message structure"; test/fixtures/events/README.md).
  it("chunks a document announced through EventBridge, and ignores other object events", async () => {
    await deps.blobs.put(
      "corpora/handbook/docs/guides/vacuum.md",
      "# Vacuum\n\nVACUUM reclaims storage occupied by dead tuples.",
    );
    const handler = createS3ObjectEventsHandler(async () => deps);
    await handler(fixture("s3-eventbridge-object-created.json"));
    expect(await deps.repo.getDocument("handbook", "guides/vacuum.md")).toMatchObject({
      status: "chunked",
      passageCount: 1,
    });
    expect(published.map((e) => e.type)).toEqual(["document.chunked"]);
    await handler({
      ...fixture("s3-eventbridge-object-created.json"),
      detail: {
        ...fixture("s3-eventbridge-object-created.json").detail,
        object: { key: "corpora/handbook/runs/r1/model.tar.gz", size: 1 },
      },
    });
    expect(published).toHaveLength(1);
  });
});

describe("SageMaker state change handler", () => {
  it("moves a training run on when its job completes; a duplicate re-issues the next command, a late failure changes nothing", async () => {
    await deps.repo.putRun(run("training"), null);
    const handler = createSageMakerStateChangeHandler(async () => deps);
    await handler(fixture("sagemaker-training-completed.json"));
    const after = (await deps.repo.getRun("run-1"))!;
    expect(after.state).toBe("deploying");
    expect(after.artifacts.modelKey).toBe("corpora/handbook/runs/run-1/model/");
    expect(commands.map((c) => c.type)).toEqual(["deployModel"]);
    await handler(fixture("sagemaker-training-completed.json"));
    await handler(fixture("sagemaker-training-failed.json"));
    expect(await deps.repo.getRun("run-1")).toEqual(after);
    // The redelivered completion re-issues deployment (idempotent), in case the first one was lost in a crash.
    expect(commands.map((c) => c.type)).toEqual(["deployModel", "deployModel"]);
  });

  it("fails the run with SageMaker's FailureReason and announces run.failed", async () => {
    await deps.repo.putRun(run("training"), null);
    await createSageMakerStateChangeHandler(async () => deps)(fixture("sagemaker-training-failed.json"));
    const failed = (await deps.repo.getRun("run-1"))!;
    expect(failed.state).toBe("failed");
    expect(failed.reason).toBe("training failed: AlgorithmError: ExecuteUserScriptError: CUDA out of memory");
    expect(published.map((e) => [e.type, (e.detail as { reason?: string }).reason])).toEqual([
      ["run.failed", failed.reason],
    ]);
  });

  it("hands a completed transform to the query-parsing step, and dead-letters what is not a SageMaker event", async () => {
    const seen: string[] = [];
    const handler = createSageMakerStateChangeHandler(
      async () => deps,
      async (_d, job) => void seen.push(`${job.corpus}/${job.runId}`),
    );
    await handler(fixture("sagemaker-transform-completed.json"));
    expect(seen).toEqual(["handbook/run-1"]);
    await handler({ "detail-type": "Something Else", detail: {} });
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.reason).toMatch(/not a SageMaker job state change/);
  });
});

describe("a late completed transform", () => {
  // EventBridge delivers at least once and retries for up to 24 hours, and Lambda retries a failed async
  // invocation (EventBridge user guide, "Retry policy"; Lambda developer guide, "Asynchronous invocation"):
  // a transform's Completed event can come again after its run has moved on. Indexing its output again
  // would put back passages of documents deleted since into the serving index.
  it("after its run has been promoted, neither re-indexes the output nor announces the stage again", async () => {
    const version = "run-1-index";
    await deps.repo.putRun({ ...run("ready"), artifacts: { pairsKey: "p", indexVersion: version } }, null);
    await deps.repo.putIndexVersion({
      id: version,
      corpus: "handbook",
      runId: "run-1",
      modelId: "run-1-model",
      passageCount: 1,
      createdAt: "t",
    });
    await deps.index.createVersion({ corpus: "handbook", version, dimensions: 2, tenant: "default" });
    await deps.index.promote("handbook", version);
    const gone = {
      id: "gone#0",
      corpus: "handbook",
      documentId: "gone.md",
      sourcePath: "gone.md",
      title: "",
      text: "a retired tape rotation",
      ordinal: 0,
    };
    await deps.blobs.put(
      `${keys.run("handbook", "run-1")}embed-output/h1.jsonl.out`,
      JSON.stringify({ ...gone, embedding: [1, 0] }) + "\n",
    );
    const event = fixture("sagemaker-transform-completed.json");
    event.detail.TransformJobName = "genq-run-1-emb";
    const handler = createSageMakerStateChangeHandler(
      async () => deps,
      (d, job) =>
        collectFinishedTransform(
          { ...d, heldOutFraction: 0.2, seed: 1, embedding: { instanceType: "ml.m5.large", dimensions: 2 } },
          job,
        ),
    );
    await handler(event);
    expect(await found("tape rotation")).toEqual([]);
    expect(published).toEqual([]);
    expect((await deps.repo.getIndexVersion(version))?.passageCount).toBe(1);
  });
});

describe("pipeline events handler", () => {
  it("advances a run on a genq event from the bus and dead-letters a malformed one", async () => {
    const { createPipelineEventsHandler } = await import("./pipeline-events.ts");
    await deps.repo.putRun({ ...run("indexing"), artifacts: { modelId: "m" } }, null);
    const handler = createPipelineEventsHandler(async () => deps);
    const detail = {
      id: "index.built:run-1",
      time: "2026-01-01T00:00:00Z",
      corpus: "handbook",
      type: "index.built",
      detail: { runId: "run-1", indexVersion: "run-1-index", passages: 10 },
    };
    await handler({ detail });
    expect((await deps.repo.getRun("run-1"))!.state).toBe("evaluating");
    expect(commands).toEqual([
      { type: "evaluate", runId: "run-1", corpus: "handbook", indexVersion: "run-1-index", modelId: "m" },
    ]);
    await handler({ detail });
    expect(commands).toHaveLength(2);
    await handler({ detail: { type: "index.built", detail: {} } });
    expect(deadLetters[0]!.reason).toMatch(/malformed event/);
  });
});

describe("pipeline events handler and the retraining policy", () => {
  it("starts the retraining a run's end leaves due (documents that arrived while it worked), once", async () => {
    const { createPipelineEventsHandler } = await import("./pipeline-events.ts");
    await serveHandbook();
    await deps.repo.putCorpus(
      corpusRecord("handbook", "default", { servingRunId: "run-1", servingIndexVersion: "v1" }),
      null,
    );
    await deps.repo.putRun(run("ready"), null);
    // Two passages the serving model was not trained on: they came while run-1 worked.
    await deps.index.upsert(
      "v1",
      ["a", "b"].map((id) => ({
        passage: {
          id,
          corpus: "handbook",
          documentId: id,
          sourcePath: `${id}.md`,
          title: id,
          text: `tape rotation ${id}`,
          ordinal: 0,
          metadata: {},
        },
        vector: Float32Array.from([1, 0]),
        trained: false,
      })),
    );
    const handler = createPipelineEventsHandler(async () => ({
      ...deps,
      retrainAfter: { kind: "passages", value: 2 },
    }));
    const ended = {
      id: "run.succeeded:run-1",
      time: "2026-01-01T00:00:00Z",
      corpus: "handbook",
      type: "run.succeeded",
      detail: { runId: "run-1", indexVersion: "v1", reportKey: "corpora/handbook/runs/run-1/report.json" },
    };
    await handler({ detail: ended });
    const started = published.filter((e) => e.type === "run.started");
    expect(started).toHaveLength(1);
    expect((await deps.repo.getCorpus("handbook"))!.activeRunId).toBe(started[0]!.detail.runId);
    // The same end delivered again finds the retraining in progress: nothing more starts.
    await handler({ detail: ended });
    expect(published.filter((e) => e.type === "run.started")).toHaveLength(1);
  });
});

describe("function configuration", () => {
  it("names every missing variable at once", async () => {
    const { loadFunctionConfig, REQUIRED_ENVIRONMENT } = await import("./config.ts");
    expect(REQUIRED_ENVIRONMENT).toEqual(
      expect.arrayContaining([
        "GENQ_BUCKET",
        "GENQ_TABLE",
        "GENQ_EVENT_BUS",
        "GENQ_OPENSEARCH_ENDPOINT",
        "GENQ_SAGEMAKER_ROLE_ARN",
      ]),
    );
    expect(REQUIRED_ENVIRONMENT).not.toContain("GENQ_SEED");
    expect(() => loadFunctionConfig({ GENQ_BUCKET: "b" })).toThrow(/GENQ_TABLE[\s\S]*GENQ_EVENT_BUS/);
  });

  it("allows no browser origin but the console's own unless GENQ_CORS_ORIGINS names some, refusing ones that are not origins", async () => {
    const { loadFunctionConfig, REQUIRED_ENVIRONMENT } = await import("./config.ts");
    const base = Object.fromEntries(
      REQUIRED_ENVIRONMENT.map((k) => [
        k,
        k.endsWith("_URL") || k.endsWith("ENDPOINT")
          ? "https://x.example"
          : k.endsWith("ARN")
            ? "arn:aws:iam::1:role/r"
            : k === "GENQ_SOURCE_DIR"
              ? "s3://b/code"
              : "value",
      ]),
    );
    expect(loadFunctionConfig(base).GENQ_CORS_ORIGINS).toEqual([]);
    expect(loadFunctionConfig({ ...base, GENQ_CORS_ORIGINS: "https://app.example.com,*" }).GENQ_CORS_ORIGINS).toEqual([
      "https://app.example.com",
      "*",
    ]);
    expect(() => loadFunctionConfig({ ...base, GENQ_CORS_ORIGINS: "app.example.com" })).toThrow(
      /GENQ_CORS_ORIGINS: "app.example.com" is not an origin/,
    );
  });
});
