/**
 * Long computations that share a process with a server (evaluation, calibration, indexing on the local
 * runtime) give the event loop back every few milliseconds, so searches are answered while they work.
 * A slicer is cheap to call often: it yields (a macrotask, so pending I/O runs) only once `budgetMs` of
 * work has passed since the last yield.
 */
export type TimeSlicer = () => Promise<void>;

/** A slicer that yields after at most `budgetMs` of uninterrupted work. */
export function createTimeSlicer(budgetMs = 8): TimeSlicer {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    since = performance.now();
  };
}

/**
 * Drive a step-wise computation (a generator that yields between steps and returns its result) to the end
 * without pausing. The same generator runs sliced with `runSliced`.
 */
export function runToEnd<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Drive a step-wise computation, giving the event loop back between steps as `slice` decides. */
export async function runSliced<T>(steps: Generator<unknown, T>, slice: TimeSlicer = createTimeSlicer()): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await slice();
  }
}
