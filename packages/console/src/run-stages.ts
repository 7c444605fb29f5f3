import type { Run } from "./types.ts";

/** The stages of a run in order; a run ends ready, or failed / rejected. */
export const STAGES = [
  "ingesting",
  "generating",
  "training",
  "deploying",
  "indexing",
  "evaluating",
  "promoting",
  "ready",
] as const;
export const TERMINAL = new Set(["ready", "failed", "rejected"]);

export interface StageView {
  stage: string;
  status: "done" | "current" | "failed" | "pending" | "skipped";
  /** When the stage began and how long it took (or has taken so far), in ms. */
  startedAt: string | null;
  durationMs: number | null;
}

/**
 * Where a run stands, stage by stage, from its state and history: stages it passed are done (with their
 * time), its current stage is current, the stage it failed in is failed, and a rejected run ends at
 * "rejected" where a ready one ends at "ready".
 */
export function stageView(run: Pick<Run, "state" | "createdAt" | "updatedAt" | "history">, now: number): StageView[] {
  const entered = (s: string) =>
    s === "ingesting" ? run.createdAt : (run.history.find((h) => h.to === s)?.at ?? null);
  const left = (s: string) => run.history.find((h) => h.from === s)?.at ?? null;
  const last = run.history.at(-1);
  const failedIn = run.state === "failed" ? (last?.from ?? "ingesting") : null;
  const end = run.state === "rejected" ? "rejected" : run.state === "failed" ? "failed" : "ready";
  const reached = new Set([run.state, ...run.history.flatMap((h) => [h.from, h.to])]);
  return STAGES.map((stage) => {
    const name = stage === "ready" ? end : stage;
    const start = entered(name);
    const stop = left(name);
    let status: StageView["status"];
    if (name === failedIn) status = "failed";
    else if (stage === "ready")
      status = TERMINAL.has(run.state) ? (run.state === "ready" ? "done" : "failed") : "pending";
    else if (run.state === name) status = "current";
    else if (stop) status = "done";
    else status = TERMINAL.has(run.state) && !reached.has(name) ? "skipped" : "pending";
    const duration = start && stage !== "ready" ? (stop ? Date.parse(stop) : status === "current" ? now : null) : null;
    return {
      stage: name,
      status,
      startedAt: start,
      durationMs: start && duration !== null ? Math.max(0, duration - Date.parse(start)) : null,
    };
  });
}
