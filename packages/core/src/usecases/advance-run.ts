import { randomRunId } from "./run-id.ts";
import type { Run } from "../domain.ts";
import { ConflictError, ConcurrentUpdateError } from "../errors.ts";
import type { GenqEvent } from "../events.ts";
import type { PipelineCommand } from "../pipeline/commands.ts";
import { resumeCommand, transition } from "../pipeline/transition.ts";
import type { Clock, EventPublisher, Logger, PipelineRepository } from "../ports.ts";
import { ensureCorpus } from "./ensure-corpus.ts";

type StageCommand = Exclude<PipelineCommand, { type: "publishOutcome" }>;

/** The run state each stage command works for (a failure to start it fails that state). */
const STATE_OF_COMMAND: Record<StageCommand["type"], string> = {
  generateQueries: "generating",
  startTraining: "training",
  deployModel: "deploying",
  buildIndex: "indexing",
  evaluate: "evaluating",
  promoteIndex: "ready",
};

/** Who carries out each stage. Each must be idempotent per run (commands can be re-issued). */
export type StageExecutors = { [K in StageCommand["type"]]: (command: Extract<StageCommand, { type: K }>) => Promise<void> };

export interface RunDeps {
  repo: PipelineRepository;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  stages: StageExecutors;
  /** Uploads still waiting to be chunked for a corpus (a run waits for them before generating). */
  pendingUploads(corpus: string): Promise<number>;
}

const PIPELINE_EVENTS = new Set<GenqEvent["type"]>([
  "ingestion.completed", "queries.generated", "training.job.completed", "model.deployed", "index.built", "evaluation.completed", "stage.failed",
]);

/** Start a run over a corpus: it records the run and announces `run.started`. */
export async function startRun(deps: RunDeps, input: { corpus: string; tenant: string; runId?: string }): Promise<Run> {
  const corpus = await ensureCorpus(deps, { name: input.corpus, tenant: input.tenant });
  const active = (await deps.repo.listRuns(corpus.name)).find((r) => !["ready", "failed", "rejected"].includes(r.state));
  if (active) throw new ConflictError(`corpus "${corpus.name}" already has run ${active.id} in progress (${active.state})`);
  const now = deps.clock.now().toISOString();
  const run = await deps.repo.putRun(
    { id: input.runId ?? randomRunId(deps.clock.now()), corpus: corpus.name, tenant: corpus.tenant, state: "ingesting", reason: null, createdAt: now, updatedAt: now, artifacts: {}, history: [], version: 0 },
    null,
  );
  await deps.events.publish([{ id: `run.started:${run.id}`, type: "run.started", corpus: run.corpus, detail: { runId: run.id } }]);
  return run;
}

/**
 * Move runs along when something happens: `run.started` and `document.*` events check whether a run
 * waiting in `ingesting` can go on; pipeline events go through the pure transition function, the new
 * state is saved with compare-and-set, then the commands are carried out. A stage that cannot start
 * fails the run with its reason. Duplicate and late events change nothing.
 */
export async function advanceRuns(deps: RunDeps, event: GenqEvent): Promise<void> {
  if (event.type === "run.started" || event.type === "document.chunked" || event.type === "document.rejected") {
    await completeIngestion(deps, event.corpus, event.type === "run.started" ? event.detail.runId : undefined);
    return;
  }
  if (!PIPELINE_EVENTS.has(event.type)) return;
  const runId = (event.detail as { runId: string }).runId;
  const run = await deps.repo.getRun(runId);
  if (!run) {
    deps.logger.warn("event for an unknown run ignored", { runId, type: event.type });
    return;
  }
  const result = transition(run, event);
  if (result.ignored) {
    deps.logger.info("event ignored", { runId, type: event.type, why: result.ignored });
    return;
  }
  const now = deps.clock.now().toISOString();
  await deps.repo.putRun(
    { ...run, state: result.state, reason: result.reason, artifacts: result.artifacts, updatedAt: now, history: [...run.history, { at: now, from: run.state, to: result.state, event: event.type }] },
    run.version,
  );
  deps.logger.info("run advanced", { runId, from: run.state, to: result.state });
  for (const command of result.commands) await execute(deps, command);
}

async function completeIngestion(deps: RunDeps, corpus: string, runId?: string): Promise<void> {
  const waiting = (await deps.repo.listRuns(corpus)).filter((r) => r.state === "ingesting" && (!runId || r.id === runId));
  if (!waiting.length || (await deps.pendingUploads(corpus)) > 0) return;
  const docs = await deps.repo.listDocuments(corpus);
  const passages = docs.reduce((n, d) => n + d.passageCount, 0);
  for (const run of waiting) {
    if (passages === 0) {
      await deps.events.publish([{ id: `stage.failed:${run.id}:ingesting`, type: "stage.failed", corpus, detail: { runId: run.id, stage: "ingesting", reason: "the corpus has no passages: ingest documents first" } }]);
      continue;
    }
    await deps.events.publish([{ id: `ingestion.completed:${run.id}`, type: "ingestion.completed", corpus, detail: { runId: run.id, passages } }]);
  }
}

async function execute(deps: RunDeps, command: PipelineCommand): Promise<void> {
  if (command.type === "publishOutcome") {
    const run = await deps.repo.getRun(command.runId);
    const detail = { runId: command.runId, reason: command.reason };
    const id = `run.${command.outcome}:${command.runId}`;
    if (command.outcome === "succeeded") {
      await deps.events.publish([{ id, type: "run.succeeded", corpus: command.corpus, detail: { runId: command.runId, indexVersion: run?.artifacts.indexVersion ?? "", reportKey: run?.artifacts.reportKey ?? "" } }]);
    } else if (command.outcome === "rejected") {
      await deps.events.publish([{ id, type: "run.rejected", corpus: command.corpus, detail: { ...detail, reportKey: run?.artifacts.reportKey ?? "" } }]);
    } else {
      await deps.events.publish([{ id, type: "run.failed", corpus: command.corpus, detail }]);
    }
    return;
  }
  try {
    await (deps.stages[command.type] as (c: StageCommand) => Promise<void>)(command);
  } catch (error) {
    if (error instanceof ConcurrentUpdateError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    deps.logger.error("stage could not start", { runId: command.runId, command: command.type, reason });
    const stage = STATE_OF_COMMAND[command.type];
    await deps.events.publish([{ id: `stage.failed:${command.runId}:${stage}`, type: "stage.failed", corpus: command.corpus, detail: { runId: command.runId, stage, reason } }]);
  }
}

/** Re-issue the work of runs left mid-stage by a crash (every stage command is idempotent). */
export async function resumeRuns(deps: RunDeps, corpus: string): Promise<number> {
  let resumed = 0;
  for (const run of await deps.repo.listRuns(corpus)) {
    if (run.state === "ingesting") {
      await completeIngestion(deps, corpus, run.id);
      resumed++;
      continue;
    }
    const command = resumeCommand(run);
    if (command) {
      await execute(deps, command);
      resumed++;
    }
  }
  return resumed;
}
