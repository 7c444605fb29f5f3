import { PUBLIC_EVENT_TYPES, type GenqEvent } from "@genq/core";
import type { LocalDeps } from "./local-deps.ts";

/** One line per event, as `genq status --follow` prints it. */
export function formatEvent(e: GenqEvent): string {
  const d = e.detail as Record<string, unknown>;
  const facts = Object.entries(d).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
  return `${e.time}  ${e.corpus}  ${e.type}  ${facts}`;
}

/**
 * `genq status --follow`: print genq's public stage events (the same stream as `GET /v1/events`) as
 * they are published, optionally for one corpus, until `stop` resolves. Starts from now.
 */
export async function followEvents(deps: LocalDeps, corpus: string | undefined, print: (line: string) => void, stop: Promise<void>, pollMs = 250): Promise<void> {
  let after = deps.outbox.lastSeq();
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    const items = deps.outbox.readAfter(after, 100);
    for (const { seq, event } of items) {
      after = seq;
      if (PUBLIC_EVENT_TYPES.includes(event.type) && (!corpus || event.corpus === corpus)) print(formatEvent(event));
    }
    if (!items.length) await Promise.race([stop, new Promise((r) => setTimeout(r, pollMs))]);
  }
}
