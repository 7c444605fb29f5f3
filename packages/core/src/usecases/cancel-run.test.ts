import { describe, expect, it } from "vitest";
import { ConflictError, NotFoundError } from "../errors.ts";
import { eventIds } from "../pipeline/names.ts";
import { silentLogger } from "../ports.ts";
import { memoryBus, memoryRepository } from "../testing/memory-ports.ts";
import { advanceRuns, type EngineDeps, type StageExecutors } from "./advance-run.ts";
import { CANCELLED, cancelRun } from "./cancel-run.ts";
import { startRun } from "./start-run.ts";

/** A runtime whose training never finishes on its own (a long SageMaker job, a slow worker). */
function world() {
  const clock = { now: () => new Date("2026-01-01T00:00:00Z") };
  const bus = memoryBus(clock);
  const repo = memoryRepository();
  const dropped: string[] = [];
  const idle = async () => {};
  const stages = new Proxy({} as StageExecutors, { get: () => idle });
  const deps: EngineDeps = {
    repo,
    events: bus,
    clock,
    logger: silentLogger,
    stages,
    tidy: { index: { dropVersion: async (v) => void dropped.push(v) }, deployer: { retire: async () => {} } },
  };
  return { deps, bus, repo, dropped, drain: () => bus.deliver((e) => advanceRuns(deps, e)) };
}

describe("cancelling a run", () => {
  it("ends a run in progress failed with the reason, frees its corpus, and gives back what it made", async () => {
    const w = world();
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await w.drain();
    expect((await w.repo.getRun(run.id))!.state).toBe("ingesting");
    await cancelRun(w.deps, run.id);
    await cancelRun(w.deps, run.id); // a second click before the first lands changes nothing
    await w.drain();
    const ended = (await w.repo.getRun(run.id))!;
    expect(ended).toMatchObject({ state: "failed", reason: `ingesting failed: ${CANCELLED}`, outcomePublished: true });
    expect(w.bus.published.filter((e) => e.type === "run.failed")).toHaveLength(1);
    expect((await w.repo.getCorpus("docs"))!.activeRunId).toBeNull();
    expect(w.dropped).toEqual([`${run.id}-index`]);
    const next = await startRun(w.deps, { corpus: "docs", tenant: "t", runId: "next" });
    expect(next.state).toBe("ingesting");
  });

  it("still ends a run whose stage completed just before the cancellation was applied", async () => {
    const w = world();
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await w.drain();
    // The stage's completion is already on its way when the user cancels (the run still reads ingesting).
    await w.bus.publish([
      {
        id: eventIds.ingestionCompleted(run.id),
        type: "ingestion.completed",
        corpus: "docs",
        detail: { runId: run.id, passages: 3 },
      },
    ]);
    await cancelRun(w.deps, run.id);
    await w.drain();
    expect((await w.repo.getRun(run.id))!).toMatchObject({
      state: "failed",
      reason: `generating failed: ${CANCELLED}`,
    });
    expect((await w.repo.getCorpus("docs"))!.activeRunId).toBeNull();
  });

  it("refuses an unknown run, a run that has ended, and a run that is promoting", async () => {
    const w = world();
    await expect(cancelRun(w.deps, "nope")).rejects.toBeInstanceOf(NotFoundError);
    const run = await startRun(w.deps, { corpus: "docs", tenant: "t" });
    await cancelRun(w.deps, run.id);
    await w.drain();
    await expect(cancelRun(w.deps, run.id)).rejects.toThrow(/has already ended \(failed\)/);
    const promoting = await startRun(w.deps, { corpus: "docs", tenant: "t", runId: "p" });
    await w.repo.putRun({ ...promoting, state: "promoting" }, promoting.version);
    await expect(cancelRun(w.deps, "p")).rejects.toBeInstanceOf(ConflictError);
  });
});
