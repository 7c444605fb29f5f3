import { isTerminal, type Run, type RunState, type ServingSetup, type WorkingState } from "../domain.ts";

interface RunRef {
  runId: string;
  corpus: string;
}

/**
 * Commands: what a run's state asks the outside world to do. They are data, derived from the run alone
 * (`commandFor`), so they can be re-issued after every transition, on every redelivery and by the
 * reconciler; every command's executor is idempotent per run.
 */
export type PipelineCommand =
  | ({ type: "completeIngestion" } & RunRef)
  | ({ type: "generateQueries" } & RunRef)
  | ({ type: "startTraining"; pairsKey: string } & RunRef)
  | ({ type: "deployModel"; modelKey: string } & RunRef)
  | ({ type: "buildIndex"; modelId: string } & RunRef)
  | ({ type: "evaluate"; indexVersion: string; modelId: string } & RunRef)
  | ({ type: "promoteIndex"; indexVersion: string; setup: ServingSetup | null } & RunRef)
  | ({ type: "publishOutcome"; outcome: "succeeded" | "failed" | "rejected"; reason: string } & RunRef);

export type PipelineCommandType = PipelineCommand["type"];
export type CommandOf<T extends PipelineCommandType> = Extract<PipelineCommand, { type: T }>;
/** Commands that do a stage's work (all but announcing the outcome). */
export type StageCommand = Exclude<PipelineCommand, { type: "publishOutcome" }>;

/** The working state each stage command serves: a failure to carry it out fails that stage. */
export const STATE_OF_COMMAND = {
  completeIngestion: "ingesting",
  generateQueries: "generating",
  startTraining: "training",
  deployModel: "deploying",
  buildIndex: "indexing",
  evaluate: "evaluating",
  promoteIndex: "promoting",
} as const satisfies { [K in StageCommand["type"]]: WorkingState };

type RunView = Pick<Run, "id" | "corpus" | "state" | "reason" | "artifacts" | "outcomePublished">;

const OUTCOME: Record<Exclude<RunState, WorkingState>, "succeeded" | "failed" | "rejected"> = {
  ready: "succeeded",
  failed: "failed",
  rejected: "rejected",
};

/**
 * The command the run's state needs now, or null when nothing is left to do. A working state whose
 * artifacts are missing (a record written by hand or damaged) has no command; the stage's deadline then
 * fails it with a reason.
 */
export function commandFor(run: RunView): PipelineCommand | null {
  const ref = { runId: run.id, corpus: run.corpus };
  const a = run.artifacts;
  if (isTerminal(run.state)) {
    return run.outcomePublished
      ? null
      : { type: "publishOutcome", ...ref, outcome: OUTCOME[run.state], reason: run.reason ?? "" };
  }
  switch (run.state) {
    case "ingesting":
      return { type: "completeIngestion", ...ref };
    case "generating":
      return { type: "generateQueries", ...ref };
    case "training":
      return a.pairsKey ? { type: "startTraining", ...ref, pairsKey: a.pairsKey } : null;
    case "deploying":
      return a.modelKey ? { type: "deployModel", ...ref, modelKey: a.modelKey } : null;
    case "indexing":
      return a.modelId ? { type: "buildIndex", ...ref, modelId: a.modelId } : null;
    case "evaluating":
      return a.indexVersion && a.modelId
        ? { type: "evaluate", ...ref, indexVersion: a.indexVersion, modelId: a.modelId }
        : null;
    case "promoting":
      return a.indexVersion
        ? { type: "promoteIndex", ...ref, indexVersion: a.indexVersion, setup: a.servingSetup ?? null }
        : null;
  }
}
