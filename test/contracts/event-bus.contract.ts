import { MalformedEventError, type EventHandler, type EventPublisher, type GenqEvent } from "@genq/core";
import { describe, expect, it } from "vitest";

/** What a contract needs from an event bus: publishing, plus a way to have due events delivered. */
export interface EventBusUnderTest {
  publisher: EventPublisher;
  /** Deliver everything due now to `handler`; returns when nothing more is due. */
  deliver(handler: EventHandler): Promise<void>;
  /** Let retry back-offs elapse. */
  advance(ms: number): void;
  deadLetters(): Array<{ id: string; reason: string }>;
  /** Simulate a process restart: a new bus over the same durable storage. */
  restart(): Promise<EventBusUnderTest>;
}

const uploaded = (id: string, key = `corpora/docs/docs/${id}.md`) => ({
  id,
  type: "document.uploaded" as const,
  corpus: "docs",
  detail: { key, size: 1 },
});

/** The event-bus contract: at-least-once, duplicates ignored, retries, dead letters, durable. */
export function eventBusContract(name: string, make: () => Promise<EventBusUnderTest>) {
  describe(`Event bus contract: ${name}`, () => {
    it("delivers published events in order, each once, and ignores a republished id", async () => {
      const bus = await make();
      await bus.publisher.publish([uploaded("a"), uploaded("b")]);
      await bus.publisher.publish([uploaded("a")]);
      const seen: string[] = [];
      await bus.deliver(async (e) => void seen.push(e.id));
      await bus.deliver(async (e) => void seen.push(e.id));
      expect(seen).toEqual(["a", "b"]);
    });

    it("refuses to publish a malformed event", async () => {
      const bus = await make();
      await expect(
        bus.publisher.publish([{ type: "document.uploaded", corpus: "docs", detail: { key: 1 } } as never]),
      ).rejects.toBeInstanceOf(MalformedEventError);
    });

    it("retries a failing handler with back-off, then succeeds", async () => {
      const bus = await make();
      await bus.publisher.publish([uploaded("a")]);
      let calls = 0;
      const flaky = async () => {
        calls++;
        if (calls < 3) throw new Error("temporary");
      };
      await bus.deliver(flaky);
      expect(calls).toBe(1);
      bus.advance(60_000);
      await bus.deliver(flaky);
      bus.advance(60_000);
      await bus.deliver(flaky);
      expect(calls).toBe(3);
      expect(bus.deadLetters()).toEqual([]);
    });

    it("dead-letters a poison event at once, with the reason", async () => {
      const bus = await make();
      await bus.publisher.publish([uploaded("p")]);
      await bus.deliver(async () => {
        throw new MalformedEventError("key is not a document");
      });
      expect(bus.deadLetters()).toEqual([expect.objectContaining({ id: "p", reason: "key is not a document" })]);
    });

    it("dead-letters an event that keeps failing after the last attempt", async () => {
      const bus = await make();
      await bus.publisher.publish([uploaded("f")]);
      for (let i = 0; i < 10; i++) {
        await bus.deliver(async () => {
          throw new Error("disk full");
        });
        bus.advance(10 * 60_000);
      }
      expect(bus.deadLetters()).toEqual([
        expect.objectContaining({ id: "f", reason: expect.stringMatching(/disk full/) }),
      ]);
    });

    it("survives a restart: undelivered events are delivered by the next process", async () => {
      const bus = await make();
      await bus.publisher.publish([uploaded("a"), uploaded("b")]);
      const seen: GenqEvent[] = [];
      await bus.deliver(async (e) => {
        if (e.id === "b") throw new Error("crash");
        seen.push(e);
      });
      const next = await bus.restart();
      next.advance(60_000);
      await next.deliver(async (e) => void seen.push(e));
      expect(seen.map((e) => e.id)).toEqual(["a", "b"]);
    });
  });
}
