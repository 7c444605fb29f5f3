import { isTerminal, type Run, type RunArtifacts, type RunState } from "../domain.ts";
import type { GenqEvent, GenqEventType } from "../events.ts";

/** What an event does to a run. */
export type TransitionResult =
  | { kind: "applied"; state: RunState; reason: string | null; artifacts: RunArtifacts }
  /** The event that produced the current state, delivered again: the state's command is re-issued. */
  | { kind: "duplicate" }
  /** The event does not apply (another run, a finished run, a state that does not wait for it). */
  | { kind: "ignored"; why: string };

type RunView = Pick<Run, "id" | "corpus" | "state" | "reason" | "artifacts" | "history">;

/** The event each working state waits for to move on (evaluation and failure are handled apart). */
const WAITS_FOR: Partial<Record<RunState, { on: GenqEventType; to: RunState }>> = {
  ingesting: { on: "ingestion.completed", to: "generating" },
  generating: { on: "queries.generated", to: "training" },
  training: { on: "training.job.completed", to: "deploying" },
  deploying: { on: "model.deployed", to: "indexing" },
  indexing: { on: "index.built", to: "evaluating" },
  promoting: { on: "index.promoted", to: "ready" },
};

const applied = (state: RunState, reason: string | null, artifacts: RunArtifacts): TransitionResult => ({
  kind: "applied",
  state,
  reason,
  artifacts,
});

/**
 * The pipeline state machine, pure: `(run, event) → run'`.
 * - Each working state waits for one event; `evaluation.completed` leads to `promoting` (the gate passed)
 *   or `rejected` (the serving index stays); `index.promoted` confirms the promotion and ends in `ready`.
 * - `stage.failed` for the stage the run is in ends it in `failed`; a late failure of a stage the run has
 *   left is ignored.
 * - The event that produced the current state, delivered again, is a `duplicate` (its command is
 *   re-issued by the caller); anything else that does not apply is ignored.
 */
export function transition(run: RunView, event: GenqEvent): TransitionResult {
  const detail = event.detail as { runId?: string };
  if (detail.runId !== run.id) return { kind: "ignored", why: "event belongs to another run" };
  const last = run.history.at(-1);
  if (last && (last.eventId === event.id || (last.eventId === undefined && last.event === event.type)))
    return { kind: "duplicate" };
  if (isTerminal(run.state)) return { kind: "ignored", why: `run is already ${run.state}` };

  if (event.type === "stage.failed") {
    if (event.detail.stage !== run.state)
      return { kind: "ignored", why: `late failure of ${event.detail.stage} while the run is ${run.state}` };
    return applied("failed", `${event.detail.stage} failed: ${event.detail.reason}`, run.artifacts);
  }

  if (run.state === "evaluating" && event.type === "evaluation.completed") {
    const artifacts = {
      ...run.artifacts,
      reportKey: event.detail.reportKey,
      ...(event.detail.setup ? { servingSetup: event.detail.setup } : {}),
    };
    return event.detail.promote
      ? applied("promoting", event.detail.reason, artifacts)
      : applied("rejected", event.detail.reason, artifacts);
  }

  const step = WAITS_FOR[run.state];
  if (!step || step.on !== event.type) return { kind: "ignored", why: `${run.state} does not wait for ${event.type}` };
  const a = run.artifacts;
  switch (event.type) {
    case "ingestion.completed":
      return applied(step.to, null, a);
    case "queries.generated":
      return applied(step.to, null, { ...a, pairsKey: event.detail.pairsKey, heldoutKey: event.detail.heldoutKey });
    case "training.job.completed":
      return applied(step.to, null, { ...a, trainingJobId: event.detail.jobId, modelKey: event.detail.modelKey });
    case "model.deployed":
      return applied(step.to, null, { ...a, modelId: event.detail.modelId });
    case "index.built":
      return applied(step.to, null, { ...a, indexVersion: event.detail.indexVersion });
    case "index.promoted":
      return applied(step.to, run.reason, a);
    default:
      return { kind: "ignored", why: `unexpected ${event.type}` };
  }
}
