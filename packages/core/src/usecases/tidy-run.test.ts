import { describe, expect, it } from "vitest";
import type { Corpus, Run } from "../domain.ts";
import type { Logger } from "../ports.ts";
import { memoryRepository } from "../testing/memory-ports.ts";
import { tidyAfterRun } from "./tidy-run.ts";

function world(corpus: Partial<Corpus>) {
  const repo = memoryRepository();
  const dropped: string[] = [];
  const retired: string[] = [];
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message) => void warnings.push(message), error() {} };
  let failDrop = false;
  const deps = {
    repo,
    logger,
    index: {
      async dropVersion(version: string) {
        if (failDrop) throw new Error("index unavailable");
        dropped.push(version);
      },
    },
    deployer: { retire: async (modelId: string) => void retired.push(modelId) },
  };
  const setup = async () => {
    const created = await repo.putCorpus(
      {
        name: "docs",
        tenant: "t",
        createdAt: "2026-01-01T00:00:00Z",
        servingSetup: null,
        activeRunId: null,
        servingRunId: null,
        servingIndexVersion: null,
        version: 0,
        ...corpus,
      },
      null,
    );
    for (const id of ["r1", "r2", "r3"])
      await repo.putIndexVersion({
        id: `${id}-index`,
        corpus: "docs",
        runId: id,
        modelId: `${id}-model`,
        passageCount: 3,
        createdAt: "2026-01-01T00:00:00Z",
      });
    return created;
  };
  return { deps, dropped, retired, warnings, setup, failDrops: () => (failDrop = true) };
}

const finished = (id: string, state: Run["state"]) => ({ id, corpus: "docs", state });

describe("giving back what a finished run left", () => {
  it("a run that serves drops the older index versions, keeping the serving one and a run in progress's", async () => {
    const w = world({ servingRunId: "r2", servingIndexVersion: "r2-index", activeRunId: "r3" });
    await w.setup();
    await tidyAfterRun(w.deps, finished("r2", "ready"));
    expect(w.dropped).toEqual(["r1-index"]);
    expect(w.retired).toEqual([]);
  });

  it("a rejected or failed run drops its own index version and retires its model; the serving index is untouched", async () => {
    const w = world({ servingRunId: "r1", servingIndexVersion: "r1-index" });
    await w.setup();
    await tidyAfterRun(w.deps, finished("r2", "rejected"));
    await tidyAfterRun(w.deps, finished("r3", "failed"));
    expect(w.dropped).toEqual(["r2-index", "r3-index"]);
    expect(w.retired).toEqual(["r2-model", "r3-model"]);
  });

  it("never drops the serving version, even for a run that names it", async () => {
    const w = world({ servingRunId: "r1", servingIndexVersion: "r1-index" });
    await w.setup();
    await tidyAfterRun(w.deps, finished("r1", "failed"));
    expect(w.dropped).toEqual([]);
    expect(w.retired).toEqual([]);
  });

  it("a failure to give back is logged and does not throw (the outcome is still announced)", async () => {
    const w = world({ servingRunId: "r3", servingIndexVersion: "r3-index" });
    await w.setup();
    w.failDrops();
    await expect(tidyAfterRun(w.deps, finished("r3", "ready"))).resolves.toBeUndefined();
    expect(w.warnings).toEqual(["could not give back what a finished run left"]);
  });
});
