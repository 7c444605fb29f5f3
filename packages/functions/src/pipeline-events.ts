import { MalformedEventError, advanceRuns, parseEvent, retrainIfDue, startRun } from "@genq/core";
import type { HandlerDeps } from "./handler-deps.ts";

const RUN_ENDS = new Set(["run.succeeded", "run.failed", "run.rejected"]);

/**
 * genq's own events from the bus (EventBridge envelope, `detail` = the event) → the next stage; a run's
 * end lets the corpus's retraining policy (GENQ_RETRAIN_AFTER) look again, as documents that arrived while
 * the run worked found it in progress. Poison events are dead-lettered with the reason; anything else that
 * fails is rethrown for Lambda to retry.
 */
export const createPipelineEventsHandler =
  (deps: () => Promise<HandlerDeps>) =>
  async (envelope: { detail?: unknown }): Promise<void> => {
    const d = await deps();
    let event;
    try {
      event = parseEvent(envelope.detail);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      d.logger.error("poison event dead-lettered", { reason: error.message });
      return d.deadLetter(envelope, error.message);
    }
    await advanceRuns(d, event);
    if (RUN_ENDS.has(event.type))
      await retrainIfDue(
        { ...d, startRun: (input) => startRun(d, input) },
        { corpus: event.corpus, policy: d.retrainAfter },
      );
  };
