import { cpSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { isTerminal, startRun, type Run, type StageExecutors } from "@genq/core";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { drainAll, ingestFolder } from "../../packages/cli/src/ingest-folder.ts";
import { createLocalDeps, type LocalDeps } from "../../packages/cli/src/local-deps.ts";
import { startPipelineThread } from "../../packages/cli/src/pipeline-thread.ts";
import { waitForRun } from "../../packages/cli/src/run-command.ts";
import { serveLocal } from "../../packages/cli/src/serve.ts";
import { ROOT, tempDir, until } from "./helpers.ts";

/**
 * The pipeline thread picks up runs a previous process left: a run that was about to be promoted when
 * the process ended is promoted by the next one (the promotion asks the serving thread to get the version
 * ready while the new thread's reconciler is still starting), and a promotion whose version cannot be
 * made ready on the serving thread ends its run failed with a reason, keeping nothing of it there. A
 * serving process that runs no pipeline (the second of GENQ_SERVE_WORKERS=2) lets go of retired models.
 */

const env = {
  GENQ_LOG_LEVEL: "silent",
  GENQ_EPOCHS: "1",
  GENQ_SHUTDOWN_SECONDS: "2",
  GENQ_RECONCILE_SECONDS: "1",
  // Every run is promoted (the serving model changes each time).
  GENQ_GATE_MIN_GAIN: "-1",
};
/** A data folder whose only run waits in `promoting`: the process that ran it ended before promoting. */
let template: string;
let runId: string;
const opened: LocalDeps[] = [];

const open = (data: string) => {
  const deps = createLocalDeps(loadConfig(env, { data }));
  opened.push(deps);
  return deps;
};
const copyOfTemplate = () => {
  const data = tempDir();
  cpSync(template, data, { recursive: true });
  return data;
};
const within = <T>(what: string, p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref()),
  ]);
/** Start a pipeline thread on `deps` (as a server does) and wait for the left run to end; the thread is stopped. */
const endedByPipelineThread = async (deps: LocalDeps): Promise<Run> => {
  const pipeline = await within("starting the pipeline thread", startPipelineThread(deps), 30_000);
  try {
    return await until("the run to end", async () => {
      const r = await deps.repo.getRun(runId);
      return r && isTerminal(r.state) && r.outcomePublished ? r : undefined;
    });
  } finally {
    await pipeline.stop();
  }
};

beforeAll(async () => {
  const docs = tempDir();
  const src = join(ROOT, "examples/postgresql-docs");
  for (const f of readdirSync(src).filter((f) => /^indexes-(types|multicolumn|unique|partial)/.test(f)))
    cpSync(join(src, f), join(docs, f));
  template = tempDir();
  // Promotion never happens in this process: the run is saved `promoting` and stays there.
  const deps = createLocalDeps(loadConfig(env, { data: template }), {
    seams: { stages: (s): StageExecutors => ({ ...s, promoteIndex: async () => {} }) },
  });
  try {
    await ingestFolder(deps, { source: docs, corpus: "pg", quiet: true });
    runId = (await startRun(deps.engine, { corpus: "pg", tenant: deps.config.tenant })).id;
    await drainAll(deps);
    expect((await deps.repo.getRun(runId))?.state).toBe("promoting");
  } finally {
    deps.close();
  }
}, 120_000);
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

describe("the pipeline thread and runs a previous process left", () => {
  it("a run left waiting in promotion is promoted by the next server's pipeline thread", async () => {
    const deps = open(copyOfTemplate());
    const run = await endedByPipelineThread(deps);
    expect(run.state).toBe("ready");
    expect(await deps.index.servingVersion("pg")).toBe(run.artifacts.indexVersion);
    // The serving thread got the version ready before it was switched to.
    expect(deps.index.held).toBe(1);
  }, 60_000);

  it("a promotion whose model the serving thread cannot load fails the run and keeps nothing of it", async () => {
    const data = copyOfTemplate();
    const deps = open(data);
    const run = (await deps.repo.getRun(runId))!;
    const model = await deps.repo.getModelVersion(`${run.artifacts.modelId ?? ""}`);
    expect(model).toBeTruthy();
    rmSync(join(data, "bucket", model!.artifactKey, "model.bin"));
    const failed = await endedByPipelineThread(deps);
    expect(failed.state).toBe("failed");
    expect(failed.reason).toMatch(/promoting.*serving thread could not load/);
    expect(await deps.index.servingVersion("pg")).toBeNull();
    // Neither the version's signals nor its model stay on the serving thread.
    expect(deps.index.held).toBe(0);
  }, 60_000);

  it("a serving process that runs no pipeline lets go of the model a later run retired", async () => {
    const data = copyOfTemplate();
    const pipeline = open(data);
    // A second serving process (GENQ_SERVE_WORKERS=2): it answers searches, another process runs the pipeline.
    const serving = open(data);
    const server = await serveLocal(serving, 0, { pump: false });
    try {
      await pipeline.reconcile();
      const first = await waitForRun(pipeline, runId, () => {});
      expect(first.state).toBe("ready");
      const firstModel = first.artifacts.modelId!;
      // What a search of the corpus does first: load its serving model.
      await serving.encoderFor(firstModel);
      expect(serving.pipeline.modelFor.has(firstModel)).toBe(true);

      const second = await startRun(pipeline.engine, { corpus: "pg", tenant: pipeline.config.tenant });
      const done = await waitForRun(pipeline, second.id, () => {});
      expect(done.state).toBe("ready");
      await serving.encoderFor(done.artifacts.modelId!);
      await until(
        "the retired model to be let go",
        async () => (serving.pipeline.modelFor.has(firstModel) ? undefined : true),
        10_000,
      );
      expect(serving.pipeline.modelFor.has(done.artifacts.modelId!)).toBe(true);
    } finally {
      await server.stop();
    }
  }, 90_000);
});
