import { describe, expect, it } from "vitest";
import type { Run, RunState } from "../domain.ts";
import { parseEvent, type GenqEvent } from "../events.ts";
import { commandFor } from "./commands.ts";
import { transition } from "./transition.ts";

type View = Pick<Run, "id" | "corpus" | "state" | "reason" | "artifacts" | "history" | "outcomePublished">;
const run = (state: RunState, artifacts: Run["artifacts"] = {}, history: Run["history"] = []): View => ({
  id: "r1",
  corpus: "docs",
  state,
  reason: null,
  artifacts,
  history,
  outcomePublished: false,
});
const ev = (type: string, detail: Record<string, unknown>): GenqEvent =>
  parseEvent({
    id: `${type}:r1`,
    time: "2026-01-01T00:00:00Z",
    corpus: "docs",
    type,
    detail: { runId: "r1", ...detail },
  });
const applied = (r: ReturnType<typeof transition>) => {
  if (r.kind !== "applied") throw new Error(`expected the event to apply, got ${r.kind}`);
  return r;
};

const happyPath: Array<[RunState, GenqEvent, RunState]> = [
  ["ingesting", ev("ingestion.completed", { passages: 10 }), "generating"],
  ["generating", ev("queries.generated", { pairsKey: "p", heldoutKey: "h", pairs: 30 }), "training"],
  ["training", ev("training.job.completed", { jobId: "j", modelKey: "m/" }), "deploying"],
  ["deploying", ev("model.deployed", { modelId: "mod", endpoint: null }), "indexing"],
  ["indexing", ev("index.built", { indexVersion: "v1", passages: 10 }), "evaluating"],
  ["evaluating", ev("evaluation.completed", { reportKey: "rep", promote: true, reason: "better" }), "promoting"],
  ["promoting", ev("index.promoted", { indexVersion: "v1" }), "ready"],
];

describe("pipeline transition", () => {
  it.each(happyPath)("%s + %s → %s", (from, event, to) => {
    expect(applied(transition(run(from), event)).state).toBe(to);
  });

  it("records artifacts as they are produced", () => {
    const r = applied(
      transition(run("training", { pairsKey: "p" }), ev("training.job.completed", { jobId: "j", modelKey: "m/" })),
    );
    expect(r.artifacts).toEqual({ pairsKey: "p", trainingJobId: "j", modelKey: "m/" });
  });

  it("goes to promoting, not ready, when evaluation passes the gate: ready waits for the promotion", () => {
    const r = applied(
      transition(
        run("evaluating", { indexVersion: "v1" }),
        ev("evaluation.completed", { reportKey: "rep", promote: true, reason: "tuned beats bm25" }),
      ),
    );
    expect(r.state).toBe("promoting");
    expect(r.reason).toBe("tuned beats bm25");
    expect(r.artifacts.reportKey).toBe("rep");
  });

  it("rejects without promoting when evaluation fails the gate", () => {
    const r = applied(
      transition(
        run("evaluating", { indexVersion: "v1" }),
        ev("evaluation.completed", { reportKey: "rep", promote: false, reason: "worse than bm25" }),
      ),
    );
    expect(r.state).toBe("rejected");
    expect(r.reason).toBe("worse than bm25");
  });

  it.each(["ingesting", "generating", "training", "deploying", "indexing", "evaluating", "promoting"] as RunState[])(
    "a failed stage fails a run in %s",
    (state) => {
      const r = applied(transition(run(state), ev("stage.failed", { stage: state, reason: "OOM" })));
      expect(r.state).toBe("failed");
      expect(r.reason).toBe(`${state} failed: OOM`);
    },
  );

  it("ignores a late failure report of a stage the run has left", () => {
    const r = transition(run("deploying"), ev("stage.failed", { stage: "training", reason: "OOM" }));
    expect(r).toEqual({ kind: "ignored", why: "late failure of training while the run is deploying" });
  });

  it("recognises a redelivery of the event that produced the current state, so its command is re-issued", () => {
    const produced = ev("queries.generated", { pairsKey: "p", heldoutKey: "h", pairs: 3 });
    const history = [
      { at: "t", from: "generating" as const, to: "training" as const, event: produced.type, eventId: produced.id },
    ];
    expect(transition(run("training", { pairsKey: "p" }, history), produced)).toEqual({ kind: "duplicate" });
    const finished = [
      {
        at: "t",
        from: "promoting" as const,
        to: "ready" as const,
        event: "index.promoted",
        eventId: "index.promoted:r1",
      },
    ];
    expect(transition(run("ready", {}, finished), ev("index.promoted", { indexVersion: "v1" }))).toEqual({
      kind: "duplicate",
    });
  });

  it("ignores out-of-order events", () => {
    expect(
      transition(run("indexing"), ev("queries.generated", { pairsKey: "p", heldoutKey: "h", pairs: 3 })),
    ).toMatchObject({ kind: "ignored", why: "indexing does not wait for queries.generated" });
    expect(transition(run("generating"), ev("index.built", { indexVersion: "v", passages: 1 })).kind).toBe("ignored");
  });

  it.each(["ready", "failed", "rejected"] as RunState[])("a %s run never moves again", (state) => {
    for (const event of [...happyPath.map((h) => h[1]), ev("stage.failed", { stage: "x", reason: "y" })]) {
      expect(transition(run(state), event).kind).toBe("ignored");
    }
  });

  it("ignores events of other runs", () => {
    const other = parseEvent({
      id: "x",
      time: "t",
      corpus: "docs",
      type: "ingestion.completed",
      detail: { runId: "r2", passages: 1 },
    });
    expect(transition(run("ingesting"), other)).toEqual({ kind: "ignored", why: "event belongs to another run" });
  });
});

describe("the command a state needs", () => {
  it("is derived from the run alone, for every working state", () => {
    expect(commandFor(run("ingesting"))).toEqual({ type: "completeIngestion", runId: "r1", corpus: "docs" });
    expect(commandFor(run("generating"))?.type).toBe("generateQueries");
    expect(commandFor(run("training", { pairsKey: "p" }))).toMatchObject({ type: "startTraining", pairsKey: "p" });
    expect(commandFor(run("deploying", { modelKey: "m/" }))).toMatchObject({ type: "deployModel", modelKey: "m/" });
    expect(commandFor(run("indexing", { modelId: "m" }))).toMatchObject({ type: "buildIndex", modelId: "m" });
    expect(commandFor(run("evaluating", { indexVersion: "v", modelId: "m" }))).toMatchObject({
      type: "evaluate",
      indexVersion: "v",
      modelId: "m",
    });
    expect(commandFor(run("promoting", { indexVersion: "v" }))).toMatchObject({
      type: "promoteIndex",
      indexVersion: "v",
    });
  });

  it("announces a finished run's outcome until it is recorded as announced", () => {
    expect(commandFor({ ...run("ready"), reason: "better" })).toEqual({
      type: "publishOutcome",
      runId: "r1",
      corpus: "docs",
      outcome: "succeeded",
      reason: "better",
    });
    expect(commandFor(run("rejected"))).toMatchObject({ outcome: "rejected" });
    expect(commandFor(run("failed"))).toMatchObject({ outcome: "failed" });
    expect(commandFor({ ...run("ready"), outcomePublished: true })).toBeNull();
  });

  it("has nothing to issue for a state whose artifacts are missing (its deadline fails it)", () => {
    expect(commandFor(run("training"))).toBeNull();
    expect(commandFor(run("promoting"))).toBeNull();
  });
});
