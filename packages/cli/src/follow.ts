import { corpusNameOf, PUBLIC_EVENT_TYPES, type GenqEvent } from "@genq/core";
import type { LocalDeps } from "./local-deps.ts";
import { printable } from "./status.ts";

/** One line per event, as `genq status --follow` prints it (control characters escaped). */
export function formatEvent(e: GenqEvent): string {
  const d = e.detail as Record<string, unknown>;
  const facts = Object.entries(d)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return printable(`${e.time}  ${corpusNameOf(e.corpus)}  ${e.type}  ${facts}`);
}

/** One JSON object per event, as `genq status --follow --json` prints it. */
export const eventJson = (e: GenqEvent): string => JSON.stringify({ ...e, corpus: corpusNameOf(e.corpus) });

/**
 * `genq status --follow`: print genq's public stage events (the same stream as `GET /v1/events`) as
 * they are published, optionally for one corpus, until `stop` resolves. Starts from now.
 */
export async function followEvents(
  deps: Pick<LocalDeps, "outbox">,
  corpus: string | undefined,
  print: (line: string) => void,
  stop: Promise<void>,
  pollMs = 250,
  format: (e: GenqEvent) => string = formatEvent,
): Promise<void> {
  let after = deps.outbox.lastSeq();
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    const items = deps.outbox.readAfter(after, 100);
    for (const { seq, event } of items) {
      after = seq;
      if (PUBLIC_EVENT_TYPES.includes(event.type) && (!corpus || event.corpus === corpus)) print(format(event));
    }
    if (!items.length) await Promise.race([stop, new Promise((r) => setTimeout(r, pollMs))]);
  }
}
