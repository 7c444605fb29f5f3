import { describe, expect, it } from "vitest";
import { stageView } from "./run-stages.ts";

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const step = (from: string, to: string, at: number) => ({ from, to, at: t(at), event: "x" });

describe("a run's stages", () => {
  it("shows passed stages with their times and the current one still running", () => {
    const run = {
      state: "training",
      createdAt: t(0),
      updatedAt: t(3),
      history: [step("ingesting", "generating", 1), step("generating", "training", 3)],
    };
    const v = stageView(run, Date.parse(t(10)));
    expect(v.map((s) => `${s.stage}:${s.status}`)).toEqual([
      "ingesting:done",
      "generating:done",
      "training:current",
      "deploying:pending",
      "indexing:pending",
      "evaluating:pending",
      "promoting:pending",
      "ready:pending",
    ]);
    expect(v.slice(0, 3).map((s) => s.durationMs)).toEqual([1000, 2000, 7000]);
  });

  it("marks the stage a run failed in, and ends a rejected run at rejected", () => {
    const failed = stageView(
      {
        state: "failed",
        createdAt: t(0),
        updatedAt: t(4),
        history: [step("ingesting", "generating", 1), step("generating", "training", 2), step("training", "failed", 4)],
      },
      0,
    );
    expect(failed.map((s) => s.status)).toEqual([
      "done",
      "done",
      "failed",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "failed",
    ]);
    expect(failed.at(-1)!.stage).toBe("failed");
    const names = ["ingesting", "generating", "training", "deploying", "indexing", "evaluating"];
    const history = names
      .slice(1)
      .map((n, i) => step(names[i]!, n, i + 1))
      .concat(step("evaluating", "rejected", 9));
    const rejected = stageView({ state: "rejected", createdAt: t(0), updatedAt: t(9), history }, 0);
    expect(rejected.map((s) => `${s.stage}:${s.status}`)).toEqual([
      "ingesting:done",
      "generating:done",
      "training:done",
      "deploying:done",
      "indexing:done",
      "evaluating:done",
      "promoting:skipped",
      "rejected:failed",
    ]);
  });
});
