import { isTerminal, type Run } from "../domain.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { EventPublisher, PipelineRepository } from "../ports.ts";
import { failStage } from "./fail-stage.ts";

/** The reason a cancelled run ends with (after the stage it was in: "training failed: cancelled on request"). */
export const CANCELLED = "cancelled on request";

/**
 * Cancel a run in progress: its current stage fails with the reason `CANCELLED`, so the run engine ends it
 * `failed` the one way every failure ends, frees its corpus for the next run and gives back what the run
 * made (its index version and model; on AWS, giving back also stops its SageMaker jobs still in
 * progress). A local job still running finishes unheard: a finished run ignores it. Refused for a run that has ended, and while it promotes
 * (the serving index is being switched: cancelling then could leave the corpus and its index disagreeing).
 * A cancellation that crosses its stage's completion fails the stage the run moved on to (the run engine
 * sees to it). Idempotent while the cancellation is being applied.
 */
export async function cancelRun(
  deps: { repo: PipelineRepository; events: EventPublisher },
  runId: string,
): Promise<Run> {
  const run = await deps.repo.getRun(runId);
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  if (isTerminal(run.state))
    throw new ConflictError(`run ${runId} has already ended (${run.state}); there is nothing to cancel`);
  if (run.state === "promoting")
    throw new ConflictError(`run ${runId} is promoting its index and can no longer be cancelled`);
  await failStage(deps, run, run.state, CANCELLED);
  return run;
}
