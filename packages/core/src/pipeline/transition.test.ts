import { describe, expect, it } from "vitest";
import type { Run, RunState } from "../domain.ts";
import { parseEvent, type GenqEvent } from "../events.ts";
import { resumeCommand, transition } from "./transition.ts";

const run = (state: RunState, artifacts: Run["artifacts"] = {}) => ({ id: "r1", corpus: "docs", state, reason: null, artifacts });
const ev = (type: string, detail: Record<string, unknown>): GenqEvent =>
  parseEvent({ id: `${type}-1`, time: "2026-01-01T00:00:00Z", corpus: "docs", type, detail: { runId: "r1", ...detail } });

const happyPath: Array<[RunState, GenqEvent, RunState, string]> = [
  ["ingesting", ev("ingestion.completed", { passages: 10 }), "generating", "generateQueries"],
  ["generating", ev("queries.generated", { pairsKey: "p", heldoutKey: "h", pairs: 30 }), "training", "startTraining"],
  ["training", ev("training.job.completed", { jobId: "j", modelKey: "m/" }), "deploying", "deployModel"],
  ["deploying", ev("model.deployed", { modelId: "mod", endpoint: null }), "indexing", "buildIndex"],
  ["indexing", ev("index.built", { indexVersion: "v1", passages: 10 }), "evaluating", "evaluate"],
];

describe("pipeline transition", () => {
  it.each(happyPath)("%s + %s → %s", (from, event, to, command) => {
    const result = transition(run(from), event);
    expect(result.state).toBe(to);
    expect(result.commands.map((c) => c.type)).toEqual([command]);
    expect(result.ignored).toBeUndefined();
  });

  it("records artifacts as they are produced", () => {
    const r = transition(run("training", { pairsKey: "p" }), ev("training.job.completed", { jobId: "j", modelKey: "m/" }));
    expect(r.artifacts).toEqual({ pairsKey: "p", trainingJobId: "j", modelKey: "m/" });
  });

  it("promotes and announces success when evaluation passes the gate", () => {
    const r = transition(run("evaluating", { indexVersion: "v1" }), ev("evaluation.completed", { reportKey: "rep", promote: true, reason: "tuned beats bm25" }));
    expect(r.state).toBe("ready");
    expect(r.commands).toEqual([
      { type: "promoteIndex", runId: "r1", corpus: "docs", indexVersion: "v1" },
      { type: "publishOutcome", runId: "r1", corpus: "docs", outcome: "succeeded", reason: "tuned beats bm25" },
    ]);
  });

  it("rejects without promoting when evaluation fails the gate", () => {
    const r = transition(run("evaluating", { indexVersion: "v1" }), ev("evaluation.completed", { reportKey: "rep", promote: false, reason: "worse than bm25" }));
    expect(r.state).toBe("rejected");
    expect(r.reason).toBe("worse than bm25");
    expect(r.commands.map((c) => c.type)).toEqual(["publishOutcome"]);
  });

  it.each(["ingesting", "generating", "training", "deploying", "indexing", "evaluating"] as RunState[])("a failed stage fails a run in %s", (state) => {
    const r = transition(run(state), ev("stage.failed", { stage: state, reason: "OOM" }));
    expect(r.state).toBe("failed");
    expect(r.reason).toBe(`${state} failed: OOM`);
    expect(r.commands).toEqual([{ type: "publishOutcome", runId: "r1", corpus: "docs", outcome: "failed", reason: `${state} failed: OOM` }]);
  });

  it("ignores a late failure report of a stage the run has left", () => {
    const r = transition(run("deploying"), ev("stage.failed", { stage: "training", reason: "OOM" }));
    expect(r.state).toBe("deploying");
    expect(r.ignored).toMatch(/late failure of training/);
  });

  it("ignores duplicates and out-of-order events", () => {
    const late = transition(run("indexing"), ev("queries.generated", { pairsKey: "p", heldoutKey: "h", pairs: 3 }));
    expect(late.state).toBe("indexing");
    expect(late.commands).toEqual([]);
    expect(late.ignored).toMatch(/does not wait/);
    const early = transition(run("generating"), ev("index.built", { indexVersion: "v", passages: 1 }));
    expect(early.state).toBe("generating");
  });

  it.each(["ready", "failed", "rejected"] as RunState[])("a %s run never moves again", (state) => {
    for (const event of [...happyPath.map((h) => h[1]), ev("stage.failed", { stage: "x", reason: "y" })]) {
      const r = transition(run(state), event);
      expect(r.state).toBe(state);
      expect(r.commands).toEqual([]);
    }
  });

  it("ignores events of other runs", () => {
    const other = parseEvent({ id: "x", time: "t", corpus: "docs", type: "ingestion.completed", detail: { runId: "r2", passages: 1 } });
    expect(transition(run("ingesting"), other).ignored).toMatch(/another run/);
  });

  it("knows how to resume each working state", () => {
    expect(resumeCommand(run("generating"))?.type).toBe("generateQueries");
    expect(resumeCommand(run("training", { pairsKey: "p" }))).toMatchObject({ type: "startTraining", pairsKey: "p" });
    expect(resumeCommand(run("evaluating", { indexVersion: "v" }))).toMatchObject({ type: "evaluate", indexVersion: "v" });
    expect(resumeCommand(run("ready"))).toBeNull();
  });
});
