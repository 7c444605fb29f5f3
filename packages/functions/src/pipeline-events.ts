import { MalformedEventError, advanceRuns, parseEvent } from "@genq/core";
import type { HandlerDeps } from "./handler-deps.ts";

/**
 * genq's own events from the bus (EventBridge envelope, `detail` = the event) → the next stage. Poison
 * events are dead-lettered with the reason; anything else that fails is rethrown for Lambda to retry.
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
  };
