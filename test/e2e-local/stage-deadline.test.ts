import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LocalJobs } from "@genq/local";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { createLocalDeps } from "../../packages/cli/src/local-deps.ts";
import { runPipeline } from "../../packages/cli/src/run-command.ts";
import { ROOT, tempDir } from "./helpers.ts";

function smallCorpus(): string {
  const dir = tempDir();
  const src = join(ROOT, "examples/postgresql-docs");
  for (const f of readdirSync(src).filter((f) => /^indexes-(types|unique)/.test(f))) cpSync(join(src, f), join(dir, f));
  return dir;
}

describe("stage deadlines in genq run", () => {
  it("a job that never reports back fails its run once the stage's deadline passes, with a reason naming the stage", async () => {
    let jobs!: LocalJobs;
    const config = loadConfig(
      { GENQ_LOG_LEVEL: "silent", GENQ_EPOCHS: "1", GENQ_STAGE_DEADLINES: "training=2s", GENQ_RECONCILE_SECONDS: "1" },
      { data: tempDir() },
    );
    const deps = createLocalDeps(config, {
      seams: {
        jobs: (j) => (jobs = j),
        // A training job that hangs: it keeps running and never announces its end.
        stages: (s) => ({
          ...s,
          startTraining: async (c) =>
            jobs.run({ runId: c.runId, corpus: c.corpus, stage: "training" }, () => new Promise<void>(() => {})),
        }),
      },
    });
    try {
      const outcome = await runPipeline(deps, { docs: smallCorpus(), corpus: "pg", quiet: true }, () => {});
      expect(outcome.run.state).toBe("failed");
      expect(outcome.run.reason).toMatch(/^training failed: timed out: training took longer than its deadline of 2 s/);
    } finally {
      deps.close();
    }
  }, 60_000);
});
