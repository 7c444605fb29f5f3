import { isTerminal, type Run } from "../domain.ts";
import { ConcurrentUpdateError, isTransient, reasonOf } from "../errors.ts";
import type { GenqEvent } from "../events.ts";
import { STATE_OF_COMMAND, commandFor, type CommandOf, type StageCommand } from "../pipeline/commands.ts";
import { eventIds } from "../pipeline/names.ts";
import { transition } from "../pipeline/transition.ts";
import type { BlobStore, Clock, EventPublisher, Logger, PipelineRepository } from "../ports.ts";
import { collectPassageGarbage } from "./collect-passages.ts";
import { CANCELLED } from "./cancel-run.ts";
import { failStage } from "./fail-stage.ts";
import { tidyAfterRun, type TidyDeps } from "./tidy-run.ts";

/** Who carries out each stage command. Each must be idempotent per run: commands are re-issued freely. */
export type StageExecutors = { [K in StageCommand["type"]]: (command: CommandOf<K>) => Promise<void> };

/** What the run engine needs: state, events, and the stage executors. */
export interface EngineDeps {
  repo: PipelineRepository;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  stages: StageExecutors;
  /** The bucket: passages objects of deleted or replaced documents are collected when a run ends. */
  blobs?: BlobStore;
  /** The index and deployer: what a finished run no longer needs is given back (index versions, models). */
  tidy?: Omit<TidyDeps, "repo" | "logger">;
}

/** Document events wake a run waiting for its corpus's uploads to be chunked. */
const DOCUMENT_EVENTS = new Set<GenqEvent["type"]>(["document.chunked", "document.rejected", "document.deleted"]);

/**
 * The level-triggered run engine's entry point: apply one event to the run it names and (re)issue the
 * command that the run's resulting state needs.
 * - The pure `transition` decides; the new state is saved with compare-and-set (a lost race re-reads and
 *   decides again), and only then is the state's command issued. A crash between the two is healed by the
 *   redelivery of the event (a `duplicate` re-issues the command) or by the reconciler.
 * - `run.started` and document events re-check a run that waits in `ingesting`.
 * - Late, out-of-order and other runs' events change nothing.
 */
export async function advanceRuns(deps: EngineDeps, event: GenqEvent): Promise<void> {
  if (DOCUMENT_EVENTS.has(event.type)) {
    const corpus = await deps.repo.getCorpus(event.corpus);
    const run = corpus?.activeRunId ? await deps.repo.getRun(corpus.activeRunId) : null;
    if (run?.state === "ingesting") await issueCommand(deps, run);
    return;
  }
  const runId = (event.detail as { runId?: string }).runId;
  if (!runId) return;
  for (let attempt = 0; attempt < 5; attempt++) {
    const run = await deps.repo.getRun(runId);
    if (!run) {
      deps.logger.warn("event for an unknown run ignored", { runId, type: event.type });
      return;
    }
    if (event.type === "run.started") return issueCommand(deps, run);
    const result = transition(run, event);
    if (result.kind === "ignored") {
      deps.logger.info("event ignored", { runId, type: event.type, why: result.why });
      // A model deployed after its run ended (cancelled while its endpoint was still being created, which
      // cannot be deleted then) would otherwise keep running unused: give it back now.
      if (event.type === "model.deployed" && isTerminal(run.state) && run.state !== "ready" && deps.tidy)
        await tidyAfterRun({ ...deps, ...deps.tidy }, run);
      // A cancellation that arrives after the stage it named completed still stands: it fails the stage
      // the run has moved on to (promotion excepted, as for a cancellation made then).
      if (
        event.type === "stage.failed" &&
        event.detail.reason === CANCELLED &&
        !isTerminal(run.state) &&
        run.state !== "promoting"
      )
        await failStage(deps, run, run.state, CANCELLED);
      return;
    }
    if (result.kind === "duplicate") return issueCommand(deps, run);
    const now = deps.clock.now().toISOString();
    let saved: Run;
    try {
      saved = await deps.repo.putRun(
        {
          ...run,
          state: result.state,
          reason: result.reason,
          artifacts: result.artifacts,
          updatedAt: now,
          history: [
            ...run.history,
            { at: now, from: run.state, to: result.state, event: event.type, eventId: event.id },
          ],
        },
        run.version,
      );
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) continue;
      throw error;
    }
    deps.logger.info("run advanced", { runId, from: run.state, to: saved.state });
    return issueCommand(deps, saved);
  }
  throw new ConcurrentUpdateError(`run ${runId} kept changing while ${event.type} was applied`);
}

/**
 * Issue the command the run's state needs (nothing for a finished run whose outcome is announced).
 * A transient error (throttling, a lost compare-and-set race) is rethrown so the event is retried; any
 * other error fails the stage with its message as the reason.
 */
export async function issueCommand(deps: EngineDeps, run: Run): Promise<void> {
  const command = commandFor(run);
  if (!command) return;
  if (command.type === "publishOutcome") return publishOutcome(deps, run, command);
  try {
    await execute(deps, command);
  } catch (error) {
    if (isTransient(error)) throw error;
    const stage = STATE_OF_COMMAND[command.type];
    deps.logger.error("stage failed", { runId: run.id, stage, reason: reasonOf(error) });
    await failStage(deps, run, stage, reasonOf(error));
  }
}

// The map is typed per command; one command is dispatched to the executor its own type names.
const execute = (deps: EngineDeps, command: StageCommand) =>
  (deps.stages[command.type] as (c: StageCommand) => Promise<void>)(command);

/**
 * A finished run: free its corpus for the next run, collect the passages objects it kept alive, give back
 * the index versions and models it leaves unused (tidyAfterRun), announce
 * the outcome (`run.succeeded`, `run.failed`, `run.rejected`) once, then record that it was announced.
 */
async function publishOutcome(deps: EngineDeps, run: Run, command: CommandOf<"publishOutcome">): Promise<void> {
  await releaseCorpus(deps, run);
  if (deps.blobs) await collectPassageGarbage({ ...deps, blobs: deps.blobs }, run.corpus, run.createdAt);
  if (deps.tidy) await tidyAfterRun({ ...deps, ...deps.tidy }, run);
  const id = eventIds.runOutcome(run.id, command.outcome);
  const base = { id, corpus: run.corpus };
  const reportKey = run.artifacts.reportKey ?? "";
  const event: Parameters<EventPublisher["publish"]>[0][number] =
    command.outcome === "succeeded"
      ? {
          ...base,
          type: "run.succeeded",
          detail: { runId: run.id, indexVersion: run.artifacts.indexVersion ?? "", reportKey },
        }
      : command.outcome === "rejected"
        ? { ...base, type: "run.rejected", detail: { runId: run.id, reason: command.reason, reportKey } }
        : { ...base, type: "run.failed", detail: { runId: run.id, reason: command.reason } };
  await deps.events.publish([event]);
  for (let current: Run | null = run; current && !current.outcomePublished; current = await deps.repo.getRun(run.id)) {
    try {
      await deps.repo.putRun({ ...current, outcomePublished: true }, current.version);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
}

/** Clear the corpus's active run if it is this finished run (idempotent). */
export async function releaseCorpus(
  deps: Pick<EngineDeps, "repo">,
  run: Pick<Run, "id" | "corpus" | "state">,
): Promise<void> {
  if (!isTerminal(run.state)) return;
  for (let attempt = 0; attempt < 5; attempt++) {
    const corpus = await deps.repo.getCorpus(run.corpus);
    if (!corpus || corpus.activeRunId !== run.id) return;
    try {
      await deps.repo.putCorpus({ ...corpus, activeRunId: null }, corpus.version);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  throw new ConcurrentUpdateError(`corpus "${run.corpus}" kept changing while run ${run.id} was released`);
}
