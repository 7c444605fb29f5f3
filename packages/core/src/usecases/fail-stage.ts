import type { Run, WorkingState } from "../domain.ts";
import { eventIds } from "../pipeline/names.ts";
import type { EventPublisher } from "../ports.ts";

/**
 * The one way a stage fails, whatever failed (a job that crashed, a worker that died, an artifact that
 * cannot be read, a SageMaker job that failed, a deadline that passed): announce `stage.failed` for the
 * run's stage with a readable reason. The run engine then ends the run in `failed` and announces
 * `run.failed`; a report for a stage the run has already left changes nothing. Idempotent per stage.
 */
export async function failStage(
  deps: { events: EventPublisher },
  run: Pick<Run, "id" | "corpus">,
  stage: WorkingState,
  reason: string,
): Promise<void> {
  await deps.events.publish([
    {
      id: eventIds.stageFailed(run.id, stage),
      type: "stage.failed",
      corpus: run.corpus,
      detail: { runId: run.id, stage, reason },
    },
  ]);
}
