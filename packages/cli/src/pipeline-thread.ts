import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import type { LocalConfig } from "./config.ts";
import type { EventPump } from "./event-pump.ts";
import type { LocalDeps } from "./local-deps.ts";

/** Messages from the pipeline thread to the serving thread. */
export type FromPipeline = { type: "ready" } | { type: "prepare"; id: number; version: string };
/** Messages from the serving thread to the pipeline thread. */
export type ToPipeline =
  { type: "wake" } | { type: "stop" } | { type: "prepared"; id: number; error?: string | undefined };
/** What the pipeline thread starts from. */
export interface PipelineThreadData {
  config: LocalConfig;
  /** Who holds the thread's job leases: given back here when the thread dies, so its replacement resumes at once. */
  leaseOwner: string;
}

const SLICE_MS = 2;
const FIRST_RESTART_MS = 1000;
const LAST_RESTART_MS = 30_000;
/** A thread that ran this long before it died is restarted after the first pause again. */
const STEADY_MS = 60_000;

/** The models the corpora's serving index versions use. */
async function servingModels(deps: LocalDeps): Promise<Set<string>> {
  const serving = new Set<string>();
  for (const corpus of await deps.repo.listCorpora()) {
    const v = await deps.index.servingVersion(corpus.name);
    const info = v ? await deps.repo.getIndexVersion(v) : null;
    if (info) serving.add(info.modelId);
  }
  return serving;
}

/**
 * Let go of the loaded models that serve no corpus any more: a process that serves searches but runs no
 * pipeline is never told when a run retires a model (its pipeline retires models in its own cache only).
 */
export async function releaseUnservedModels(deps: LocalDeps): Promise<void> {
  deps.pipeline.modelFor.retain(await servingModels(deps));
}

/**
 * What this thread does before a version is promoted: load its model and build its memory signals (both
 * in slices), and let go of models that serve no corpus any more. A version that cannot be made ready
 * leaves neither behind.
 */
async function readyToServe(deps: LocalDeps, version: string): Promise<void> {
  const coming = await deps.repo.getIndexVersion(version);
  const serving = await servingModels(deps);
  try {
    // The model first: a version whose model cannot be loaded is not promoted, and its signals (the
    // larger part) are then never built here, where nothing would let go of them.
    if (coming) await deps.pipeline.modelFor(coming.modelId);
    // Small slices: searches are being answered meanwhile.
    await deps.index.prepare(version, SLICE_MS);
    if (coming) serving.add(coming.modelId);
  } finally {
    deps.pipeline.modelFor.retain(serving);
  }
}

/**
 * Run the pipeline (event delivery, run stages, the reconciler) in a worker thread of its own, so that
 * searches answered on this thread never wait for a run's work: the thread opens the same data folder
 * (SQLite in WAL mode: its writes never block this thread's reads) and wakes when this process stores
 * events. Before it promotes an index version it asks this thread to build that version's memory
 * signals (in slices, between searches) and waits until they are ready, so the first search of the new
 * version does not build them. A thread that dies is logged and started again (with a growing pause);
 * the reconciler of the new one picks up the runs it left. Resolves once the thread has reconciled.
 * `stop` asks it to finish the batch in hand and waits up to `shutdownSeconds` before ending it.
 */
export async function startPipelineThread(
  deps: LocalDeps,
): Promise<EventPump & { readonly thread: Worker; readonly leaseOwner: string }> {
  let stopping = false;
  let worker: Worker;
  let leaseOwner = "";
  let pause = FIRST_RESTART_MS;
  const post = (message: ToPipeline) => {
    if (alive) worker.postMessage(message);
  };

  let alive = false;
  const spawn = (first: boolean) =>
    new Promise<void>((ready, failed) => {
      const data: PipelineThreadData = { config: deps.config, leaseOwner: `pipeline-thread-${randomUUID()}` };
      leaseOwner = data.leaseOwner;
      const thread = new Worker(new URL("./pipeline-worker.mjs", import.meta.url), { workerData: data });
      worker = thread;
      alive = true;
      let running = true;
      let startedAt = 0;
      // Answers go to the thread that asked (a late answer must not reach its replacement).
      const answer = (message: ToPipeline) => {
        if (running) thread.postMessage(message);
      };
      thread.on("message", (message: FromPipeline) => {
        if (message.type === "ready") {
          startedAt = Date.now();
          ready();
        } else if (message.type === "prepare") {
          readyToServe(deps, message.version).then(
            () => answer({ type: "prepared", id: message.id }),
            (error: unknown) =>
              answer({
                type: "prepared",
                id: message.id,
                error: error instanceof Error ? error.message : String(error),
              }),
          );
        }
      });
      thread.on("error", (error) =>
        deps.logger.error("the pipeline thread failed", {
          reason: error instanceof Error ? error.message : String(error),
        }),
      );
      thread.on("exit", (code) => {
        running = false;
        alive = false;
        try {
          deps.releaseJobLeases(data.leaseOwner);
        } catch (error) {
          deps.logger.warn("could not give back the pipeline thread's job leases", {
            reason: error instanceof Error ? error.message : String(error),
          });
        }
        if (stopping) return;
        if (first && !startedAt) return failed(new Error(`the pipeline thread ended (code ${code}) before it started`));
        // A thread that ran a good while starts again soon; one that keeps dying waits longer each time.
        if (startedAt && Date.now() - startedAt > STEADY_MS) pause = FIRST_RESTART_MS;
        deps.logger.error("the pipeline thread ended; starting it again", { code, afterMs: pause });
        setTimeout(() => {
          if (!stopping) void spawn(false);
        }, pause).unref();
        pause = Math.min(LAST_RESTART_MS, pause * 2);
      });
    });

  await spawn(true);
  const unsubscribe = deps.onPublished(() => post({ type: "wake" }));
  return {
    /** The thread now running (it changes when one that died is replaced). */
    get thread() {
      return worker;
    },
    /** Who holds the running thread's job leases. */
    get leaseOwner() {
      return leaseOwner;
    },
    wake: () => post({ type: "wake" }),
    async stop() {
      stopping = true;
      unsubscribe();
      if (!alive) return;
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      post({ type: "stop" });
      const timer = setTimeout(() => void worker.terminate(), deps.config.shutdownSeconds * 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}
