import { describe, expect, it } from "vitest";
import type { Run, WorkingState } from "../domain.ts";
import { ConflictError, TransientError } from "../errors.ts";
import type { GenqEvent } from "../events.ts";
import { eventIds } from "../pipeline/names.ts";
import { silentLogger, type PipelineRepository } from "../ports.ts";
import { memoryBus, memoryRepository } from "../testing/memory-ports.ts";
import { advanceRuns, type EngineDeps, type StageExecutors } from "./advance-run.ts";
import { cancelRun } from "./cancel-run.ts";
import { DEFAULT_STAGE_DEADLINES, reconcileRuns } from "./reconcile-runs.ts";
import { startRun } from "./start-run.ts";

/**
 * A runtime stand-in whose stages finish at once by announcing their completion (as a job would), and
 * which counts how often each command was issued.
 */
function world(options: { repo?: PipelineRepository; stages?: Partial<StageExecutors>; now?: () => number } = {}) {
  let t = options.now ? 0 : Date.parse("2026-01-01T00:00:00Z");
  const clock = { now: () => new Date(options.now ? options.now() : t) };
  const bus = memoryBus(clock);
  const repo = options.repo ?? memoryRepository();
  const issued: string[] = [];
  const announce = (event: Parameters<typeof bus.publish>[0][number]) => bus.publish([event]).then(() => undefined);
  const stages: StageExecutors = {
    async completeIngestion({ runId, corpus }) {
      issued.push("completeIngestion");
      await announce({
        id: eventIds.ingestionCompleted(runId),
        type: "ingestion.completed",
        corpus,
        detail: { runId, passages: 3 },
      });
    },
    async generateQueries({ runId, corpus }) {
      issued.push("generateQueries");
      await announce({
        id: eventIds.queriesGenerated(runId),
        type: "queries.generated",
        corpus,
        detail: { runId, pairsKey: "pairs", heldoutKey: "held", pairs: 9 },
      });
    },
    async startTraining({ runId, corpus }) {
      issued.push("startTraining");
      await announce({
        id: eventIds.trainingCompleted(runId),
        type: "training.job.completed",
        corpus,
        detail: { runId, jobId: "j", modelKey: "model/" },
      });
    },
    async deployModel({ runId, corpus }) {
      issued.push("deployModel");
      await announce({
        id: eventIds.modelDeployed(runId),
        type: "model.deployed",
        corpus,
        detail: { runId, modelId: `${runId}-model`, endpoint: null },
      });
    },
    async buildIndex({ runId, corpus }) {
      issued.push("buildIndex");
      await announce({
        id: eventIds.indexBuilt(runId),
        type: "index.built",
        corpus,
        detail: { runId, indexVersion: `${runId}-index`, passages: 3 },
      });
    },
    async evaluate({ runId, corpus }) {
      issued.push("evaluate");
      await announce({
        id: eventIds.evaluationCompleted(runId),
        type: "evaluation.completed",
        corpus,
        detail: { runId, reportKey: "report", promote: true, reason: "better" },
      });
    },
    async promoteIndex({ runId, corpus, indexVersion }) {
      issued.push("promoteIndex");
      await announce({
        id: eventIds.indexPromoted(runId),
        type: "index.promoted",
        corpus,
        detail: { runId, indexVersion },
      });
    },
    ...options.stages,
  };
  const deps: EngineDeps = { repo, events: bus, clock, logger: silentLogger, stages };
  return {
    deps,
    bus,
    repo,
    issued,
    advance: (ms: number) => void (t += ms),
    /** Deliver until nothing is pending (a throwing delivery stays pending, as in every real bus). */
    drain: () => bus.deliver((e) => advanceRuns(deps, e)),
    outcomes: () =>
      bus.published.filter((e) => e.type.startsWith("run.") && e.type !== "run.started").map((e) => e.type),
  };
}

const runOf = async (w: ReturnType<typeof world>, id: string) => (await w.repo.getRun(id))!;

describe("the run engine", () => {
  it("drives a run from ingesting to ready through promotion, announcing the outcome once and freeing the corpus", async () => {
    const w = world();
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await w.drain();
    const done = await runOf(w, run.id);
    expect(done.history.map((h) => h.to)).toEqual([
      "generating",
      "training",
      "deploying",
      "indexing",
      "evaluating",
      "promoting",
      "ready",
    ]);
    expect(done.outcomePublished).toBe(true);
    expect(w.outcomes()).toEqual(["run.succeeded"]);
    expect((await w.repo.getCorpus("docs"))!.activeRunId).toBeNull();
  });

  it("heals a crash between saving a state and issuing its command: the redelivered event re-issues it", async () => {
    const inner = memoryRepository();
    let crashed = false;
    const repo: PipelineRepository = {
      ...inner,
      async putRun(run, expected) {
        const saved = await inner.putRun(run, expected);
        if (run.state === "training" && !crashed) {
          crashed = true;
          throw new Error("process killed");
        }
        return saved;
      },
    };
    const w = world({ repo });
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await expect(w.drain()).rejects.toThrow("process killed");
    expect((await runOf(w, run.id)).state).toBe("training");
    expect(w.issued).not.toContain("startTraining");
    await w.drain();
    expect((await runOf(w, run.id)).state).toBe("ready");
    expect(w.issued.filter((c) => c === "startTraining")).toHaveLength(1);
  });

  it("fails the stage with the command's error as the reason, and the failed run does not block the next", async () => {
    const w = world({
      stages: {
        startTraining: async () => {
          throw new Error("pairs file is damaged");
        },
      },
    });
    const first = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await w.drain();
    expect(await runOf(w, first.id)).toMatchObject({
      state: "failed",
      reason: "training failed: pairs file is damaged",
      outcomePublished: true,
    });
    expect(w.outcomes()).toEqual(["run.failed"]);
    const second = await startRun(w.deps, { corpus: "docs", tenant: "t", runId: "second" });
    expect(second.state).toBe("ingesting");
  });

  it("gives back a failed run's index version and model when it announces the outcome", async () => {
    const w = world({
      stages: {
        evaluate: async () => {
          throw new Error("report unreadable");
        },
      },
    });
    const dropped: string[] = [];
    const retired: string[] = [];
    w.deps.tidy = {
      index: { dropVersion: async (v) => void dropped.push(v) },
      deployer: { retire: async (m) => void retired.push(m) },
    };
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await w.drain();
    expect((await runOf(w, run.id)).state).toBe("failed");
    expect(w.outcomes()).toEqual(["run.failed"]);
    expect(dropped).toEqual([`${run.id}-index`]);
    expect(retired).toEqual([`${run.id}-model`]);
  });

  it("gives back a model whose deployment finishes after its run was cancelled", async () => {
    // SageMaker refuses to delete an endpoint that is still being created (ValidationException; see
    // aws/amazon-sagemaker-examples pull request 3188, "Wait for in-service endpoint before deletion"):
    // the stand-in deployer refuses the same way until the endpoint is in service.
    const creating = new Set<string>();
    const w = world({
      stages: {
        deployModel: async ({ runId }) => void creating.add(`${runId}-model`),
      },
    });
    const retired: string[] = [];
    w.deps.tidy = {
      index: { dropVersion: async () => {} },
      deployer: {
        retire: async (m) => {
          if (creating.has(m)) throw new Error(`Cannot delete endpoint ${m} while it is Creating`);
          retired.push(m);
        },
      },
    };
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await w.drain();
    expect((await runOf(w, run.id)).state).toBe("deploying");
    await cancelRun(w.deps, run.id);
    await w.drain();
    expect((await runOf(w, run.id)).state).toBe("failed");
    expect(retired).toEqual([]);
    creating.clear();
    await w.bus.publish([
      {
        id: eventIds.modelDeployed(run.id),
        type: "model.deployed",
        corpus: "docs",
        detail: { runId: run.id, modelId: `${run.id}-model`, endpoint: "e" },
      },
    ]);
    await w.drain();
    expect((await runOf(w, run.id)).state).toBe("failed");
    expect(retired).toEqual([`${run.id}-model`]);
  });

  it("retries a transient error instead of failing the run", async () => {
    let calls = 0;
    const w = world({
      stages: {
        async buildIndex({ runId, corpus }) {
          if (++calls === 1) throw new TransientError("throttled");
          await w.bus.publish([
            {
              id: eventIds.indexBuilt(runId),
              type: "index.built",
              corpus,
              detail: { runId, indexVersion: `${runId}-index`, passages: 3 },
            },
          ]);
        },
      },
    });
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await expect(w.drain()).rejects.toThrow("throttled");
    expect((await runOf(w, run.id)).state).toBe("indexing");
    await w.drain();
    expect((await runOf(w, run.id)).state).toBe("ready");
  });

  it("allows one run in progress per corpus, even when two start at once", async () => {
    const w = world();
    const results = await Promise.allSettled([
      startRun(w.deps, { corpus: "docs", tenant: "t", runId: "a" }),
      startRun(w.deps, { corpus: "docs", tenant: "t", runId: "b" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConflictError);
    expect(String(refused.reason.message)).toMatch(/already has run (a|b) in progress \(ingesting\)/);
  });

  it("ignores duplicate and out-of-order events", async () => {
    const w = world();
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await w.drain();
    const before = await runOf(w, run.id);
    const stale: GenqEvent = {
      id: "late",
      time: "t",
      corpus: "docs",
      type: "queries.generated",
      detail: { runId: run.id, pairsKey: "x", heldoutKey: "y", pairs: 1 },
    };
    await advanceRuns(w.deps, stale);
    await advanceRuns(
      w.deps,
      w.bus.published.find((e) => e.type === "index.promoted")!,
    );
    expect(await runOf(w, run.id)).toEqual(before);
    expect(w.outcomes()).toEqual(["run.succeeded"]);
  });
});

describe("the reconciler", () => {
  it("re-issues the command of a run whose completion event was lost", async () => {
    let lost = true;
    const w = world({
      stages: {
        async startTraining({ runId, corpus }) {
          if (lost) return void (lost = false);
          await w.bus.publish([
            {
              id: eventIds.trainingCompleted(runId),
              type: "training.job.completed",
              corpus,
              detail: { runId, jobId: "j", modelKey: "m/" },
            },
          ]);
        },
      },
    });
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await w.drain();
    expect((await runOf(w, run.id)).state).toBe("training");
    const summary = await reconcileRuns({ ...w.deps, deadlines: DEFAULT_STAGE_DEADLINES });
    expect(summary).toEqual({ reissued: 1, timedOut: 0, errors: 0 });
    await w.drain();
    expect((await runOf(w, run.id)).state).toBe("ready");
  });

  it.each(["generating", "training", "evaluating"] as WorkingState[])(
    "fails a run stuck in %s past its deadline, naming the stage",
    async (stuck) => {
      const never = async () => {};
      const stages = {
        generating: { generateQueries: never },
        training: { startTraining: never },
        evaluating: { evaluate: never },
      }[stuck as "generating"];
      const w = world({ stages });
      const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
      await w.drain();
      expect((await runOf(w, run.id)).state).toBe(stuck);
      const deadlines = { ...DEFAULT_STAGE_DEADLINES, [stuck]: 60_000 };
      expect((await reconcileRuns({ ...w.deps, deadlines })).timedOut).toBe(0);
      w.advance(61_000);
      expect((await reconcileRuns({ ...w.deps, deadlines })).timedOut).toBe(1);
      await w.drain();
      expect(await runOf(w, run.id)).toMatchObject({
        state: "failed",
        reason: `${stuck} failed: timed out: ${stuck} took longer than its deadline of 1 min`,
      });
      expect((await w.repo.getCorpus("docs"))!.activeRunId).toBeNull();
    },
  );

  it("announces the outcome of a run that finished just before a crash, once", async () => {
    const w = world();
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await w.drain();
    const done = await runOf(w, run.id);
    // As if the process died after saving `ready` and before announcing it.
    const unannounced: Run = { ...done, outcomePublished: false };
    await w.repo.putRun(unannounced, done.version);
    await reconcileRuns({ ...w.deps, deadlines: DEFAULT_STAGE_DEADLINES });
    await reconcileRuns({ ...w.deps, deadlines: DEFAULT_STAGE_DEADLINES });
    expect((await runOf(w, run.id)).outcomePublished).toBe(true);
    expect(w.outcomes()).toEqual(["run.succeeded"]);
  });
});

describe("stage deadlines as a setting", () => {
  it("reads durations per stage over the defaults and names every problem", async () => {
    const { parseStageDeadlines } = await import("./reconcile-runs.ts");
    expect(parseStageDeadlines("training=2h, evaluating=90s")).toMatchObject({
      training: 7_200_000,
      evaluating: 90_000,
      generating: DEFAULT_STAGE_DEADLINES.generating,
    });
    expect(() => parseStageDeadlines("trainig=2h,indexing=soon")).toThrow(
      /"trainig" is not a stage.*"soon" for indexing is not a duration/,
    );
  });
});
