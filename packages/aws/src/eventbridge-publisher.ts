import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { parseEvent, type EventPublisher, type GenqEvent } from "@genq/core";
import { randomUUID } from "node:crypto";

/** EventBridge takes at most 10 entries per PutEvents call. */
const BATCH = 10;

export interface EventBridgePublisherOptions {
  busName: string;
  /** The `source` of genq's events on the bus (rules match on it). */
  source?: string;
  /** Attempts for entries EventBridge reports as failed (throttling, internal errors). */
  maxAttempts?: number;
  baseDelayMs?: number;
  now?: () => Date;
}

/**
 * EventPublisher on an EventBridge custom bus: events are validated, sent in batches of 10 with
 * `DetailType` = the event type and `Detail` = the whole event, and entries the service reports as
 * failed are retried with back-off; what still fails after the last attempt is an error (so the caller's
 * handler is retried as a whole).
 */
export function createEventBridgePublisher(
  client: EventBridgeClient,
  options: EventBridgePublisherOptions,
): EventPublisher {
  const source = options.source ?? "genq";
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const now = options.now ?? (() => new Date());
  return {
    async publish(inputs) {
      const time = now();
      const events: GenqEvent[] = inputs.map((e) =>
        parseEvent({ ...e, id: e.id ?? randomUUID(), time: time.toISOString() }),
      );
      const entries: PutEventsRequestEntry[] = events.map((e) => ({
        EventBusName: options.busName,
        Source: source,
        DetailType: e.type,
        Detail: JSON.stringify(e),
        Time: time,
      }));
      for (let i = 0; i < entries.length; i += BATCH) {
        let pending = entries.slice(i, i + BATCH);
        for (let attempt = 1; pending.length; attempt++) {
          const out = await client.send(new PutEventsCommand({ Entries: pending }));
          if (!out.FailedEntryCount) break;
          const failed = pending.filter((_, j) => out.Entries?.[j]?.ErrorCode);
          if (attempt >= maxAttempts) {
            const reasons = [
              ...new Set(
                (out.Entries ?? []).filter((r) => r.ErrorCode).map((r) => `${r.ErrorCode}: ${r.ErrorMessage}`),
              ),
            ].join("; ");
            throw new Error(`EventBridge rejected ${failed.length} event(s) after ${attempt} attempts: ${reasons}`);
          }
          pending = failed;
          await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** (attempt - 1)));
        }
      }
      return events;
    },
  };
}
