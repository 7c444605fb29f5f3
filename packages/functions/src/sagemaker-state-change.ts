import { MalformedEventError, advanceRuns, parseEvent } from "@genq/core";
import { translateSageMakerEvent } from "@genq/aws";
import type { HandlerDeps } from "./handler-deps.ts";

/**
 * SageMaker's "Training/Transform Job State Change" (EventBridge) → the run's next step. A malformed
 * event is dead-lettered with its reason; duplicates and late events leave the run as it is; other
 * errors are rethrown so Lambda retries.
 */
export const createSageMakerStateChangeHandler =
  (
    deps: () => Promise<HandlerDeps>,
    onTransformCompleted?: (
      d: HandlerDeps,
      job: { corpus: string; runId: string; jobName: string; job: "queries" | "embedding" },
    ) => Promise<void>,
  ) =>
  async (event: unknown): Promise<void> => {
    const d = await deps();
    let outcome;
    try {
      outcome = translateSageMakerEvent(event);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      d.logger.error("poison event dead-lettered", { reason: error.message });
      await d.deadLetter(event, error.message);
      return;
    }
    if (outcome.kind === "ignored") return d.logger.info("SageMaker event ignored", { why: outcome.why });
    if (outcome.kind === "transform-completed") return onTransformCompleted?.(d, outcome);
    await advanceRuns(d, parseEvent({ ...outcome.event, time: d.clock.now().toISOString() }));
  };
