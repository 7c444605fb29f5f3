import { isTerminal, type Run } from "../domain.ts";
import { ConcurrentUpdateError, ConflictError } from "../errors.ts";
import { eventIds } from "../pipeline/names.ts";
import type { EngineDeps } from "./advance-run.ts";
import { ensureCorpus } from "./ensure-corpus.ts";
import { randomRunId } from "./run-id.ts";

/**
 * Start a run over a corpus (created for the tenant if new). At most one run is in progress per corpus:
 * the corpus records its active run with compare-and-set, so two concurrent starts cannot both win; a
 * corpus whose active run has finished (or never got written, after a crash) is free. Records the run in
 * `ingesting` and announces `run.started`. Refuses with a ConflictError naming the run in progress.
 */
export async function startRun(
  deps: EngineDeps,
  input: { corpus: string; tenant: string; runId?: string },
): Promise<Run> {
  const runId = input.runId ?? randomRunId(deps.clock.now());
  for (let attempt = 0; attempt < 5; attempt++) {
    const corpus = await ensureCorpus(deps, { name: input.corpus, tenant: input.tenant });
    if (corpus.activeRunId) {
      const active = await deps.repo.getRun(corpus.activeRunId);
      if (active && !isTerminal(active.state))
        throw new ConflictError(`corpus "${corpus.name}" already has run ${active.id} in progress (${active.state})`);
    }
    try {
      await deps.repo.putCorpus({ ...corpus, activeRunId: runId }, corpus.version);
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) continue;
      throw error;
    }
    const now = deps.clock.now().toISOString();
    const run = await deps.repo.putRun(
      {
        id: runId,
        corpus: corpus.name,
        tenant: corpus.tenant,
        state: "ingesting",
        reason: null,
        createdAt: now,
        updatedAt: now,
        artifacts: {},
        history: [],
        outcomePublished: false,
        version: 0,
      },
      null,
    );
    await deps.events.publish([
      { id: eventIds.runStarted(run.id), type: "run.started", corpus: run.corpus, detail: { runId: run.id } },
    ]);
    return run;
  }
  throw new ConcurrentUpdateError(`corpus "${input.corpus}" kept changing while a run was started`);
}

/** The corpus's run in progress, or null. */
export async function activeRun(deps: Pick<EngineDeps, "repo">, corpus: string): Promise<Run | null> {
  const c = await deps.repo.getCorpus(corpus);
  const run = c?.activeRunId ? await deps.repo.getRun(c.activeRunId) : null;
  return run && !isTerminal(run.state) ? run : null;
}
