import { describe, expect, it } from "vitest";
import { createTimeSlicer, runSliced, runToEnd } from "../pipeline/time-slice.ts";
import { evaluateQuerySet } from "./evaluate-run.ts";
import { calibrateSetups } from "./setup-systems.ts";
import type { SignalLists } from "./signals.ts";

// On the local runtime the evaluation runs in the process that serves searches. Awaiting resolved promises
// never lets pending I/O in (they are microtasks), so a long evaluation used to hold every search until it
// ended. These tests stand a timer in for a waiting search request: it must fire while the work goes on.
const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/** Starts `work`, and says whether a timer set just before it fired before the work finished. */
async function timerFiresDuring(work: () => Promise<unknown>): Promise<boolean> {
  let fired = false;
  setTimeout(() => (fired = true), 0);
  let firedBeforeEnd = false;
  await work().then(() => (firedBeforeEnd = fired));
  return firedBeforeEnd;
}

describe("long evaluation work gives the event loop back", () => {
  it("a slicer yields only once its budget of work has passed", async () => {
    const slice = createTimeSlicer(5);
    expect(await timerFiresDuring(async () => slice())).toBe(false);
    expect(
      await timerFiresDuring(async () => {
        for (let i = 0; i < 10; i++) {
          busy(2);
          await slice();
        }
      }),
    ).toBe(true);
  });

  it("a step-wise computation gives the same result run to the end or in slices", async () => {
    function* steps() {
      let sum = 0;
      for (let i = 1; i <= 100; i++) {
        busy(0.1);
        sum += i;
        yield;
      }
      return sum;
    }
    expect(runToEnd(steps())).toBe(5050);
    expect(await runSliced(steps(), createTimeSlicer(1))).toBe(5050);
  });

  it("scoring a query set lets a waiting request in between queries", async () => {
    const queries = Array.from({ length: 40 }, (_, i) => ({
      id: `q${i}`,
      text: `query ${i}`,
      judgments: new Map([[`d${i}`, 1]]),
    }));
    const slowRanker = async (text: string) => {
      busy(1);
      return [{ documentId: `d${text.split(" ")[1]}`, score: 1 }];
    };
    const during = await timerFiresDuring(() =>
      evaluateQuerySet("set", "held-out synthetic", queries, { bm25: slowRanker, hybrid: slowRanker }, [], "hybrid"),
    );
    expect(during).toBe(true);
  });

  it("calibrating the setups lets a waiting request in, and chooses what it chose before", async () => {
    const hit = (d: string, score: number) => ({ passageId: d, documentId: d, score });
    const lists: SignalLists = {
      lexical: [hit("a", 1), hit("b", 0.5)],
      sparse: [hit("b", 1), hit("a", 0.2)],
      semantic: [hit("a", 1), hit("b", 0.1)],
    };
    const validation = Array.from({ length: 300 }, (_, i) => ({ text: `q${i}`, judgments: new Map([["a", 1]]) }));
    let calibrated: Awaited<ReturnType<typeof calibrateSetups>> = [];
    const signals = async () => {
      busy(0.05);
      return lists;
    };
    expect(await timerFiresDuring(async () => (calibrated = await calibrateSetups(signals, validation, true)))).toBe(
      true,
    );
    expect(calibrated.map((c) => c.setup.name)).toEqual(["lexical", "semantic", "hybrid-untuned", "hybrid"]);
    expect(calibrated.find((c) => c.setup.name === "hybrid")!.validationNdcg).toBe(1);
  });
});
