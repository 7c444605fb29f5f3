import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { PipelineRepository, RunState, StageExecutors, WorkingState } from "@genq/core";
import type { LocalJobs } from "@genq/local";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { ingestFolder } from "../../packages/cli/src/ingest-folder.ts";
import { createLocalDeps, type LocalHooks } from "../../packages/cli/src/local-deps.ts";
import { runPipeline, waitForRun } from "../../packages/cli/src/run-command.ts";
import { ROOT, tempDir } from "./helpers.ts";

/**
 * Crash at every boundary of the run engine: for each stage, the process dies (a) after the run's new
 * state is saved and before its command is issued, and (b) inside the command — a background job that
 * dies with the process, or a synchronous stage that dies after its side effects. A new process over the
 * same data folder must finish the run exactly once, with the same passages and documents as a run that
 * was never interrupted.
 */

const env = { GENQ_LOG_LEVEL: "silent", GENQ_EPOCHS: "1", GENQ_RECONCILE_SECONDS: "1" };
class Killed extends Error {}
/** `here` stops the process mid-call (the call never returns); `quietly` marks it dead where work is silently lost. */
interface Kill {
  here(): never;
  quietly(): void;
}

function smallCorpus(): string {
  const dir = tempDir();
  const src = join(ROOT, "examples/postgresql-docs");
  for (const f of readdirSync(src).filter((f) => /^indexes-(types|multicolumn|unique|partial|expressional)/.test(f)))
    cpSync(join(src, f), join(dir, f));
  return dir;
}

interface Outcome {
  state: string;
  documents: number;
  indexedPassages: number;
  outcomes: string[];
  servingIsRun: boolean;
  deadLetters: number;
}

async function outcomeOf(data: string, runId: string): Promise<Outcome> {
  const deps = createLocalDeps(loadConfig(env, { data }));
  try {
    const run = (await deps.repo.getRun(runId))!;
    const index = run.artifacts.indexVersion ? await deps.repo.getIndexVersion(run.artifacts.indexVersion) : null;
    const docs = await deps.repo.listDocuments("pg");
    const events = deps.outbox
      .readAfter(0, 100_000)
      .map((e) => e.event)
      .filter((e) => (e.detail as { runId?: string }).runId === runId);
    return {
      state: run.state,
      documents: docs.reduce((n, d) => n + d.documentCount, 0),
      indexedPassages: index?.passageCount ?? -1,
      outcomes: events
        .filter((e) => ["run.succeeded", "run.failed", "run.rejected"].includes(e.type))
        .map((e) => e.type),
      servingIsRun: (await deps.repo.getCorpus("pg"))!.servingRunId === runId,
      deadLetters: deps.outbox.deadLetters().length,
    };
  } finally {
    deps.close();
  }
}

/** Ingest, start a run in a process whose seams kill it at one point, then finish it in a fresh process. */
async function crashThenRecover(
  docs: string,
  seams: (kill: Kill) => LocalHooks["seams"],
): Promise<{ runId: string; died: boolean }> {
  const data = tempDir();
  let died = false;
  const kill: Kill = {
    here: (): never => {
      died = true;
      throw new Killed("the process was killed here");
    },
    quietly: () => void (died = true),
  };
  const first = createLocalDeps(loadConfig(env, { data }), { seams: seams(kill) });
  await ingestFolder(first, { source: docs, corpus: "pg", quiet: true });
  const { startRun } = await import("@genq/core");
  const run = await startRun(first.engine, { corpus: "pg", tenant: first.config.tenant });
  // Deliver events one at a time until the injected kill happens (or the run ends without reaching it).
  for (;;) {
    if (died) break;
    const r = await first.outbox.drain(first.handle, { limit: 1 });
    if (died) break;
    if (r.delivered + r.retried + r.deadLettered > 0) continue;
    if (first.jobs.active > 0) {
      await Promise.race([first.jobs.idle(), new Promise((res) => setTimeout(res, 50))]);
      continue;
    }
    const wait = first.outbox.nextDueInMs();
    if (wait === null) break;
    await new Promise((res) => setTimeout(res, wait));
  }
  first.close();
  const second = createLocalDeps(loadConfig(env, { data }));
  try {
    await second.reconcile();
    await waitForRun(second, run.id, () => {});
  } finally {
    second.close();
  }
  return { runId: `${data}|${run.id}`, died };
}

const COMMAND_OF: Record<WorkingState, keyof StageExecutors> = {
  ingesting: "completeIngestion",
  generating: "generateQueries",
  training: "startTraining",
  deploying: "deployModel",
  indexing: "buildIndex",
  evaluating: "evaluate",
  promoting: "promoteIndex",
};
const JOB_STAGES: WorkingState[] = ["generating", "training", "indexing", "evaluating"];
const AFTER_WRITE: RunState[] = ["generating", "training", "deploying", "indexing", "evaluating", "promoting", "ready"];
const INSIDE: WorkingState[] = [
  "ingesting",
  "generating",
  "training",
  "deploying",
  "indexing",
  "evaluating",
  "promoting",
];

/** Dies right after the run is saved in `state`, before its command is issued. */
const afterStateWrite =
  (state: RunState) =>
  (kill: Kill): LocalHooks["seams"] => ({
    repo: (repo): PipelineRepository => ({
      ...repo,
      async putRun(run, expected) {
        const saved = await repo.putRun(run, expected);
        if (run.state === state) kill.here();
        return saved;
      },
    }),
  });

/** Dies inside the stage's command: its background job is lost with the process, or a synchronous stage dies at its end. */
const insideCommand =
  (state: WorkingState) =>
  (kill: Kill): LocalHooks["seams"] =>
    JOB_STAGES.includes(state)
      ? {
          jobs: (jobs): LocalJobs => ({
            isRunning: jobs.isRunning,
            idle: jobs.idle,
            get active() {
              return jobs.active;
            },
            async run(job, work) {
              // The job was started and the process died while it ran: nothing of it reports back.
              if (job.stage === state) return kill.quietly();
              return jobs.run(job, work);
            },
          }),
        }
      : {
          stages: (stages): StageExecutors => ({
            ...stages,
            [COMMAND_OF[state]]: async (command: never) => {
              await (stages[COMMAND_OF[state]] as (c: never) => Promise<void>)(command);
              kill.here();
            },
          }),
        };

let docs: string;
let baseline: Outcome;

beforeAll(async () => {
  docs = smallCorpus();
  const data = tempDir();
  const deps = createLocalDeps(loadConfig(env, { data }));
  const outcome = await runPipeline(deps, { docs, corpus: "pg", quiet: true }, () => {});
  deps.close();
  baseline = await outcomeOf(data, outcome.run.id);
  expect(baseline.state).toMatch(/^(ready|rejected)$/);
}, 120_000);

describe("a run survives a crash at every boundary", () => {
  const check = async (result: { runId: string; died: boolean }) => {
    expect(result.died).toBe(true);
    const [data, runId] = result.runId.split("|") as [string, string];
    expect(await outcomeOf(data, runId)).toEqual(baseline);
  };

  it.each(AFTER_WRITE)(
    "killed after entering %s, before its command",
    async (state) => {
      await check(await crashThenRecover(docs, afterStateWrite(state)));
    },
    60_000,
  );

  it.each(INSIDE)(
    "killed inside the command of %s",
    async (state) => {
      await check(await crashThenRecover(docs, insideCommand(state)));
    },
    60_000,
  );
});
