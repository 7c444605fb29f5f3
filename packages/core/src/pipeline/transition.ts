import { TERMINAL_STATES, type Run, type RunArtifacts, type RunState } from "../domain.ts";
import type { GenqEvent } from "../events.ts";
import type { PipelineCommand } from "./commands.ts";

export interface TransitionResult {
  state: RunState;
  reason: string | null;
  artifacts: RunArtifacts;
  commands: PipelineCommand[];
  /** Why nothing happened, when the event does not apply (duplicate, late, other run). */
  ignored?: string;
}

type RunView = Pick<Run, "id" | "corpus" | "state" | "reason" | "artifacts">;

/** What each state waits for, and the state it leads to. */
const NEXT: Partial<Record<RunState, { on: GenqEvent["type"]; to: RunState }>> = {
  ingesting: { on: "ingestion.completed", to: "generating" },
  generating: { on: "queries.generated", to: "training" },
  training: { on: "training.job.completed", to: "deploying" },
  deploying: { on: "model.deployed", to: "indexing" },
  indexing: { on: "index.built", to: "evaluating" },
};

/**
 * The pipeline state machine, pure: `(run, event) → {state, commands}`.
 * - An event for another run, a terminal run, or a state that is not waiting for it is ignored
 *   (duplicates and out-of-order deliveries are no-ops).
 * - `stage.failed` for the stage the run is in moves it to `failed` and announces `run.failed`
 *   (a late failure report of an earlier stage is ignored).
 * - `evaluation.completed` ends in `ready` (promote + `run.succeeded`) or `rejected` (the quality gate).
 */
export function transition(run: RunView, event: GenqEvent): TransitionResult {
  const same = { state: run.state, reason: run.reason, artifacts: run.artifacts, commands: [] };
  const detail = event.detail as { runId?: string };
  if (detail.runId !== run.id) return { ...same, ignored: "event belongs to another run" };
  if (TERMINAL_STATES.includes(run.state)) return { ...same, ignored: `run is already ${run.state}` };
  const base = { runId: run.id, corpus: run.corpus };

  if (event.type === "stage.failed") {
    if (event.detail.stage !== run.state) return { ...same, ignored: `late failure of ${event.detail.stage} while the run is ${run.state}` };
    const reason = `${event.detail.stage} failed: ${event.detail.reason}`;
    return {
      state: "failed",
      reason,
      artifacts: run.artifacts,
      commands: [{ type: "publishOutcome", ...base, outcome: "failed", reason }],
    };
  }

  if (run.state === "evaluating") {
    if (event.type !== "evaluation.completed") return { ...same, ignored: `evaluating does not wait for ${event.type}` };
    const artifacts = { ...run.artifacts, reportKey: event.detail.reportKey };
    const indexVersion = run.artifacts.indexVersion ?? "";
    if (event.detail.promote) {
      return {
        state: "ready",
        reason: event.detail.reason,
        artifacts,
        commands: [
          { type: "promoteIndex", ...base, indexVersion },
          { type: "publishOutcome", ...base, outcome: "succeeded", reason: event.detail.reason },
        ],
      };
    }
    return {
      state: "rejected",
      reason: event.detail.reason,
      artifacts,
      commands: [{ type: "publishOutcome", ...base, outcome: "rejected", reason: event.detail.reason }],
    };
  }

  const step = NEXT[run.state];
  if (!step || step.on !== event.type) return { ...same, ignored: `${run.state} does not wait for ${event.type}` };

  switch (event.type) {
    case "ingestion.completed":
      return { state: step.to, reason: null, artifacts: run.artifacts, commands: [{ type: "generateQueries", ...base }] };
    case "queries.generated": {
      const artifacts = { ...run.artifacts, pairsKey: event.detail.pairsKey, heldoutKey: event.detail.heldoutKey };
      return { state: step.to, reason: null, artifacts, commands: [{ type: "startTraining", ...base, pairsKey: event.detail.pairsKey }] };
    }
    case "training.job.completed": {
      const artifacts = { ...run.artifacts, trainingJobId: event.detail.jobId, modelKey: event.detail.modelKey };
      return { state: step.to, reason: null, artifacts, commands: [{ type: "deployModel", ...base, modelKey: event.detail.modelKey }] };
    }
    case "model.deployed": {
      const artifacts = { ...run.artifacts, modelId: event.detail.modelId };
      return { state: step.to, reason: null, artifacts, commands: [{ type: "buildIndex", ...base, modelId: event.detail.modelId }] };
    }
    case "index.built": {
      const artifacts = { ...run.artifacts, indexVersion: event.detail.indexVersion };
      return { state: step.to, reason: null, artifacts, commands: [{ type: "evaluate", ...base, indexVersion: event.detail.indexVersion }] };
    }
    default:
      return { ...same, ignored: `unexpected ${event.type}` };
  }
}

/**
 * The command that (re)starts the work a state waits for. Used to resume a run after a crash between
 * saving a transition and issuing its commands; every command is idempotent, so re-issuing is safe.
 */
export function resumeCommand(run: RunView): PipelineCommand | null {
  const base = { runId: run.id, corpus: run.corpus };
  const a = run.artifacts;
  switch (run.state) {
    case "generating":
      return { type: "generateQueries", ...base };
    case "training":
      return a.pairsKey ? { type: "startTraining", ...base, pairsKey: a.pairsKey } : null;
    case "deploying":
      return a.modelKey ? { type: "deployModel", ...base, modelKey: a.modelKey } : null;
    case "indexing":
      return a.modelId ? { type: "buildIndex", ...base, modelId: a.modelId } : null;
    case "evaluating":
      return a.indexVersion ? { type: "evaluate", ...base, indexVersion: a.indexVersion } : null;
    default:
      return null;
  }
}
