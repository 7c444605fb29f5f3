import { randomUUID } from "node:crypto";
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsCommandOutput,
} from "@aws-sdk/client-eventbridge";
import { matchesPattern } from "../../infra/event-match.ts";

/** An EventBridge event as targets receive it (EventBridge user guide, "Amazon EventBridge events"). */
export interface BusEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface Rule {
  name: string;
  bus: string;
  pattern: unknown;
  target(event: BusEvent): Promise<void>;
}

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
/** PutEvents limits (EventBridge API reference, PutEvents; "Amazon EventBridge quotas"). */
const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

/**
 * An in-process EventBridge for end-to-end tests: PutEvents as the service takes it (at most 10 entries,
 * each with a Source, a DetailType and a Detail that is a JSON object, 256 KB at most, on a bus that
 * exists — anything else is refused per entry or as a ValidationException), and delivery to targets of the
 * rules whose event patterns match, evaluated with the same matcher the infrastructure's rules are
 * tested with. Targets are invoked one event at a time, in order; a target that throws is retried as
 * EventBridge retries an asynchronous invocation, then the event is dead-lettered.
 */
export function createEventBus(options: { buses: string[]; maxAttempts?: number }) {
  const queue: Array<{ bus: string; event: BusEvent }> = [];
  const rules: Rule[] = [];
  const deadLetters: Array<{ rule: string; event: BusEvent; reason: string }> = [];
  const delivered: Array<{ rule: string; event: BusEvent }> = [];
  const buses = new Set(options.buses);

  const put = (input: PutEventsCommandInput): PutEventsCommandOutput => {
    const entries = input.Entries ?? [];
    if (!entries.length || entries.length > MAX_ENTRIES)
      throw Object.assign(
        new Error(
          `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
        ),
        { name: "ValidationException" },
      );
    const results = entries.map((e) => {
      const bus = e.EventBusName ?? "default";
      if (!buses.has(bus))
        return { ErrorCode: "ResourceNotFoundException", ErrorMessage: `Event bus ${bus} does not exist.` };
      if (!e.Source || !e.DetailType || !e.Detail)
        return { ErrorCode: "MalformedDetail", ErrorMessage: "Source, DetailType and Detail are required" };
      if (Buffer.byteLength(JSON.stringify(e)) > MAX_ENTRY_BYTES)
        return {
          ErrorCode: "ValidationException",
          ErrorMessage: "Total size of the entries in the request is over the limit.",
        };
      let detail: unknown;
      try {
        detail = JSON.parse(e.Detail);
      } catch {
        return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
      }
      if (typeof detail !== "object" || detail === null || Array.isArray(detail))
        return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
      const id = randomUUID();
      const time = (e.Time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
      queue.push({
        bus,
        event: {
          version: "0",
          id,
          "detail-type": e.DetailType,
          source: e.Source,
          account: ACCOUNT,
          time,
          region: REGION,
          resources: e.Resources ?? [],
          detail,
        },
      });
      return { EventId: id };
    });
    return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results, $metadata: {} };
  };

  /** An EventBridgeClient whose PutEvents lands on this bus (other commands are refused). */
  const client = new EventBridgeClient({ region: REGION, credentials: { accessKeyId: "bus", secretAccessKey: "bus" } });
  client.send = (async (command: unknown) => {
    if (!(command instanceof PutEventsCommand)) throw new Error("the in-process bus implements PutEvents only");
    return put(command.input);
  }) as typeof client.send;

  return {
    client,
    rules,
    deadLetters,
    delivered,
    /** Put an event from an AWS service (S3, SageMaker) on a bus, as the service itself would. */
    emit(bus: string, event: Omit<BusEvent, "version" | "id" | "account" | "region"> & Partial<BusEvent>) {
      queue.push({
        bus,
        event: { version: "0", id: randomUUID(), account: ACCOUNT, region: REGION, ...event } as BusEvent,
      });
    },
    get pending() {
      return queue.length;
    },
    /** Deliver queued events (and those their targets put) until the queue is empty. */
    async deliver(): Promise<number> {
      let count = 0;
      while (queue.length) {
        const { bus, event } = queue.shift()!;
        for (const rule of rules.filter((r) => r.bus === bus && matchesPattern(r.pattern, event))) {
          count++;
          for (let attempt = 1; ; attempt++) {
            try {
              await rule.target(event);
              delivered.push({ rule: rule.name, event });
              break;
            } catch (error) {
              if (attempt >= (options.maxAttempts ?? 3)) {
                deadLetters.push({ rule: rule.name, event, reason: (error as Error).message });
                break;
              }
            }
          }
        }
      }
      return count;
    },
  };
}
export type EventBus = ReturnType<typeof createEventBus>;
