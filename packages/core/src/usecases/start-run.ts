import { corpusNameOf, isTerminal, type Corpus, type Run } from "../domain.ts";
import { ConcurrentUpdateError, ConflictError } from "../errors.ts";
import { eventIds } from "../pipeline/names.ts";
import type { EngineDeps } from "./advance-run.ts";
import { ensureCorpus } from "./ensure-corpus.ts";
import { randomRunId } from "./run-id.ts";

/**
 * How long a claim whose run is not written yet holds the corpus: the claim and the run write are two
 * writes, so another start can look in between; past this, such a claim is a crash's leftover and free.
 */
export const CLAIM_GRACE_MS = 60_000;

/**
 * Start a run over a corpus (created for the tenant if new). At most one run is in progress per corpus:
 * the corpus records its active run with compare-and-set, so two concurrent starts cannot both win; a
 * corpus whose active run has finished is free, as is one whose run never got written (after a crash) once
 * the claim is older than CLAIM_GRACE_MS; a younger one is a start under way. Records the run in
 * `ingesting` and announces `run.started`. Refuses with a ConflictError naming the run in progress. Run ids
 * are global: an id already taken (another corpus's run, of any tenant, started in the same second with the
 * same random suffix) is never claimed for this corpus — a fresh one is drawn, or a given `runId` is refused.
 */
export async function startRun(
  deps: EngineDeps,
  input: { corpus: string; tenant: string; runId?: string },
): Promise<Run> {
  let runId = input.runId ?? randomRunId(deps.clock.now());
  for (let attempt = 0; attempt < 5; attempt++) {
    const corpus = await ensureCorpus(deps, { name: input.corpus, tenant: input.tenant });
    if (corpus.activeRunId) {
      const active = await deps.repo.getRun(corpus.activeRunId);
      // A run of another corpus is not this corpus's (a pointer left by an id clash before clashes were caught).
      if (active && !isTerminal(active.state) && active.corpus === corpus.name)
        throw new ConflictError(
          `corpus "${corpusNameOf(corpus.name)}" already has run ${active.id} in progress (${active.state})`,
        );
      // Claimed but not written yet: another start is between its claim and its run write.
      const since = corpus.activeRunSince ? Date.parse(corpus.activeRunSince) : Number.NaN;
      if (!active && deps.clock.now().getTime() - since < CLAIM_GRACE_MS)
        throw new ConflictError(
          `corpus "${corpusNameOf(corpus.name)}" already has run ${corpus.activeRunId} in progress (starting)`,
        );
    }
    if (await deps.repo.getRun(runId)) {
      if (input.runId !== undefined) throw new ConflictError(`run id "${runId}" is taken`);
      runId = randomRunId(deps.clock.now());
      continue;
    }
    try {
      await deps.repo.putCorpus(
        { ...corpus, activeRunId: runId, activeRunSince: deps.clock.now().toISOString() },
        corpus.version,
      );
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) continue;
      throw error;
    }
    const now = deps.clock.now().toISOString();
    let run: Run;
    try {
      run = await deps.repo.putRun(
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
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      // The id was taken between the look and the write: give the corpus back its previous run, so it never
      // points at a run of another corpus (which would hold it busy and name that run to its owner).
      await releaseClaim(deps, corpus.name, runId, corpus);
      if (input.runId !== undefined) throw new ConflictError(`run id "${runId}" is taken`, { cause: error });
      runId = randomRunId(deps.clock.now());
      continue;
    }
    await deps.events.publish([
      { id: eventIds.runStarted(run.id), type: "run.started", corpus: run.corpus, detail: { runId: run.id } },
    ]);
    return run;
  }
  throw new ConcurrentUpdateError(`corpus "${corpusNameOf(input.corpus)}" kept changing while a run was started`);
}

/** Point the corpus back at its `previous` active run if it still names `runId` (retried on concurrent updates). */
async function releaseClaim(
  deps: EngineDeps,
  corpus: string,
  runId: string,
  previous: Pick<Corpus, "activeRunId" | "activeRunSince">,
) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.repo.getCorpus(corpus);
    if (!current || current.activeRunId !== runId) return;
    try {
      await deps.repo.putCorpus(
        { ...current, activeRunId: previous.activeRunId, activeRunSince: previous.activeRunSince ?? null },
        current.version,
      );
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
}

/** The corpus's run in progress, or null. */
export async function activeRun(deps: Pick<EngineDeps, "repo">, corpus: string): Promise<Run | null> {
  const c = await deps.repo.getCorpus(corpus);
  const run = c?.activeRunId ? await deps.repo.getRun(c.activeRunId) : null;
  return run && !isTerminal(run.state) ? run : null;
}
