import { afterEach, describe, expect, it, vi } from "vitest";
import { corpusIdFor } from "../domain.ts";
import { silentLogger } from "../ports.ts";
import { memoryBus, memoryRepository } from "../testing/memory-ports.ts";
import type { EngineDeps } from "./advance-run.ts";
import { CLAIM_GRACE_MS, startRun } from "./start-run.ts";

const world = () => {
  const repo = memoryRepository();
  const deps = {
    repo,
    events: memoryBus(),
    clock: { now: () => new Date("2026-01-01T00:00:00Z") },
    logger: silentLogger,
    stages: {},
  } as unknown as EngineDeps;
  return { repo, deps };
};

afterEach(() => vi.restoreAllMocks());

// Run ids are global (GET /v1/runs/{run}) and random within a second; two corpora drawing the same id
// must not end up sharing it.
describe("startRun with run ids that clash", () => {
  it("never points a corpus at another corpus's run: a taken id is drawn again", async () => {
    const { repo, deps } = world();
    const draws = vi.spyOn(Math, "random").mockReturnValue(0.5);
    const a = await startRun(deps, { corpus: "docs", tenant: "a" });
    draws.mockReturnValueOnce(0.5).mockReturnValue(0.25);
    const bCorpus = corpusIdFor("b", "docs", "a");
    const b = await startRun(deps, { corpus: bCorpus, tenant: "b" });

    expect(b.id).not.toBe(a.id);
    expect(b).toMatchObject({ corpus: bCorpus, tenant: "b" });
    expect((await repo.getCorpus(bCorpus))?.activeRunId).toBe(b.id);
    expect(await repo.getRun(a.id)).toMatchObject({ corpus: "docs", tenant: "a" });
  });

  it("gives the claim back when the id is taken between the look and the write, then draws again", async () => {
    const { repo, deps } = world();
    const a = await startRun(deps, { corpus: "docs", tenant: "a", runId: "run-20260101-000000-8000" });
    // Another process writes its run after this one looked: the look misses it once.
    const getRun = repo.getRun.bind(repo);
    let missed = false;
    vi.spyOn(repo, "getRun").mockImplementation(async (id) => {
      if (id === a.id && !missed) {
        missed = true;
        return null;
      }
      return getRun(id);
    });
    vi.spyOn(Math, "random").mockReturnValueOnce(0.5).mockReturnValue(0.25);
    const bCorpus = corpusIdFor("b", "docs", "a");
    const b = await startRun(deps, { corpus: bCorpus, tenant: "b" });
    expect(missed).toBe(true);
    expect(b.id).toBe("run-20260101-000000-4000");
    expect((await repo.getCorpus(bCorpus))?.activeRunId).toBe(b.id);
    expect(await getRun(a.id)).toMatchObject({ corpus: "docs", tenant: "a" });
  });

  it("refuses a given run id that another corpus's run has, leaving the corpus free", async () => {
    const { repo, deps } = world();
    await startRun(deps, { corpus: "docs", tenant: "a", runId: "r1" });
    const bCorpus = corpusIdFor("b", "docs", "a");
    await expect(startRun(deps, { corpus: bCorpus, tenant: "b", runId: "r1" })).rejects.toThrow('run id "r1" is taken');
    expect((await repo.getCorpus(bCorpus))?.activeRunId ?? null).toBeNull();
    expect((await startRun(deps, { corpus: bCorpus, tenant: "b", runId: "r2" })).id).toBe("r2");
  });

  it("frees a corpus left pointing at another corpus's run, and names corpora by their owner's name", async () => {
    const { repo, deps } = world();
    const a = await startRun(deps, { corpus: "docs", tenant: "a", runId: "r1" });
    const bCorpus = corpusIdFor("b", "docs", "a");
    const b = await startRun(deps, { corpus: bCorpus, tenant: "b", runId: "r2" });
    // What a clash used to leave behind: b's corpus naming a's run as its active run.
    const stale = (await repo.getCorpus(bCorpus))!;
    await repo.putRun({ ...b, state: "failed", version: b.version }, b.version);
    await repo.putCorpus({ ...stale, activeRunId: a.id }, stale.version);
    expect((await startRun(deps, { corpus: bCorpus, tenant: "b", runId: "r3" })).id).toBe("r3");
    await expect(startRun(deps, { corpus: bCorpus, tenant: "b" })).rejects.toThrow(
      'corpus "docs" already has run r3 in progress (ingesting)',
    );
  });
});

describe("startRun with two starts on one corpus at once", () => {
  it("lets only one win when the other looks after the claim but before the winner's run is written", async () => {
    const { repo, deps } = world();
    await startRun(deps, { corpus: "docs", tenant: "a", runId: "r0" });
    const r0 = (await repo.getRun("r0"))!;
    await repo.putRun({ ...r0, state: "ready" }, r0.version);
    // The first start's run write waits until the second start has had its look at the corpus.
    const putRun = repo.putRun.bind(repo);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    vi.spyOn(repo, "putRun").mockImplementation(async (run, expected) => {
      if (run.id === "r1") await gate;
      return putRun(run, expected);
    });
    const first = startRun(deps, { corpus: "docs", tenant: "a", runId: "r1" });
    await vi.waitFor(async () => expect((await repo.getCorpus("docs"))?.activeRunId).toBe("r1"));
    const second = startRun(deps, { corpus: "docs", tenant: "a", runId: "r2" });
    const outcomes = await Promise.allSettled([second.finally(release), first]);

    const won = outcomes.filter((o) => o.status === "fulfilled");
    expect(won).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(String(lost.reason)).toMatch(/corpus "docs" already has run r1/);
    expect((await repo.getCorpus("docs"))?.activeRunId).toBe("r1");
    expect(await repo.getRun("r2")).toBeNull();
  });
});

describe("startRun after a crash between the claim and the run write", () => {
  it("holds the corpus while the claim is young, then frees it", async () => {
    const { repo, deps } = world();
    vi.spyOn(repo, "putRun").mockRejectedValueOnce(new Error("process died"));
    await expect(startRun(deps, { corpus: "docs", tenant: "a", runId: "r1" })).rejects.toThrow("process died");
    expect((await repo.getCorpus("docs"))?.activeRunId).toBe("r1");
    await expect(startRun(deps, { corpus: "docs", tenant: "a", runId: "r2" })).rejects.toThrow(
      'corpus "docs" already has run r1 in progress (starting)',
    );
    const later = { ...deps, clock: { now: () => new Date(Date.parse("2026-01-01T00:00:00Z") + CLAIM_GRACE_MS) } };
    expect((await startRun(later, { corpus: "docs", tenant: "a", runId: "r2" })).id).toBe("r2");
    expect((await repo.getCorpus("docs"))?.activeRunId).toBe("r2");
  });
});
