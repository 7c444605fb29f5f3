import { parentPort, workerData } from "node:worker_threads";
import { startEventPump } from "./event-pump.ts";
import { createLocalDeps } from "./local-deps.ts";
import type { FromPipeline, PipelineThreadData, ToPipeline } from "./pipeline-thread.ts";

// The pipeline thread (see pipeline-thread.ts): delivers events and runs the stages on its own
// connection to the data folder; the serving thread builds a version's signals before it is promoted.
const port = parentPort!;
const { config, leaseOwner } = workerData as PipelineThreadData;
const send = (message: FromPipeline) => port.postMessage(message);
const waiting = new Map<number, { resolve(): void; reject(error: Error): void }>();
let nextId = 0;

const deps = createLocalDeps(config, {
  leaseOwner,
  index: {
    beforePromote: (version) =>
      new Promise<void>((resolve, reject) => {
        const id = ++nextId;
        waiting.set(id, { resolve, reject });
        send({ type: "prepare", id, version });
      }),
  },
});
// Between runs this thread searches nothing: it lets go of the signals its evaluations built.
// Listen before the first reconciliation: it may promote a run a previous process left, and that waits
// for the serving thread's answer.
const pump = startEventPump(deps, {
  onIdle: () => {
    if (!deps.jobs.active && deps.index.held) deps.index.release();
  },
});

port.on("message", (message: ToPipeline) => {
  if (message.type === "wake") void pump.then((p) => p.wake());
  else if (message.type === "prepared") {
    const w = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) w?.reject(new Error(`the serving thread could not load the index version: ${message.error}`));
    else w?.resolve();
  } else if (message.type === "stop") {
    void pump
      .then((p) => p.stop())
      .then(() => {
        deps.close();
        // Jobs still working (a training thread, an evaluation) end with this thread; the reconciler of the
        // next start re-issues their stages.
        process.exit(0);
      });
  }
});
await pump;
send({ type: "ready" });
