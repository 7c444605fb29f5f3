import { WORKING_STATES, isTerminal, stageStartedAt, type Run, type WorkingState } from "../domain.ts";
import { ValidationError, reasonOf } from "../errors.ts";
import { issueCommand, releaseCorpus, type EngineDeps } from "./advance-run.ts";
import { failStage } from "./fail-stage.ts";

/** How long each working state may last before its run fails, in milliseconds. */
export type StageDeadlines = Record<WorkingState, number>;

/** Generous defaults for one machine; a runtime sets its own (SageMaker jobs take longer). */
export const DEFAULT_STAGE_DEADLINES: StageDeadlines = {
  ingesting: 60 * 60_000,
  generating: 30 * 60_000,
  training: 4 * 60 * 60_000,
  deploying: 30 * 60_000,
  indexing: 2 * 60 * 60_000,
  evaluating: 60 * 60_000,
  promoting: 10 * 60_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|min|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Per-stage deadlines from a setting such as `training=2h,evaluating=30m` (units ms, s, m, h), over
 * `defaults`. Every unknown stage or malformed duration is reported in one ValidationError.
 */
export function parseStageDeadlines(text: string, defaults: StageDeadlines = DEFAULT_STAGE_DEADLINES): StageDeadlines {
  const deadlines = { ...defaults };
  const problems: string[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [stage, value] = part.split("=").map((x) => x.trim());
    const m = DURATION.exec(value ?? "");
    if (!stage || !(WORKING_STATES as readonly string[]).includes(stage))
      problems.push(`"${stage}" is not a stage (one of ${WORKING_STATES.join(", ")})`);
    else if (!m || Number(m[1]) <= 0)
      problems.push(`"${value ?? ""}" for ${stage} is not a duration such as 90s, 30m or 2h`);
    else deadlines[stage as WorkingState] = Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  if (problems.length) throw new ValidationError(problems.join("; "));
  return deadlines;
}

export interface ReconcileSummary {
  /** Runs whose command was issued again. */
  reissued: number;
  /** Runs failed because their stage passed its deadline. */
  timedOut: number;
  /** Runs whose re-issued command threw (logged; the next pass tries again). */
  errors: number;
}

const minutes = (ms: number) =>
  ms >= 60 * 60_000
    ? `${+(ms / 3_600_000).toFixed(1)} h`
    : ms >= 60_000
      ? `${+(ms / 60_000).toFixed(1)} min`
      : `${Math.round(ms / 1000)} s`;

/**
 * The reconciler: look at every unfinished run (optionally of one corpus) and make it progress. A run
 * past its stage's deadline fails with a reason naming the stage; any other unfinished run gets its
 * state's command issued again (every command is idempotent: a job still running is left alone, one that
 * finished reports again, one that was lost is started again). A finished run whose outcome was never
 * announced is announced. Runs at process start and on a timer in every process that advances runs.
 */
export async function reconcileRuns(
  deps: EngineDeps & { deadlines: StageDeadlines },
  options: { corpus?: string } = {},
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { reissued: 0, timedOut: 0, errors: 0 };
  const corpora = options.corpus ? [options.corpus] : (await deps.repo.listCorpora()).map((c) => c.name);
  for (const corpus of corpora) {
    for (const run of await deps.repo.listRuns(corpus)) {
      if (isTerminal(run.state) && run.outcomePublished) {
        await releaseCorpus(deps, run);
        continue;
      }
      try {
        if (await failIfLate(deps, run)) summary.timedOut++;
        else {
          await issueCommand(deps, run);
          summary.reissued++;
        }
      } catch (error) {
        summary.errors++;
        deps.logger.warn("reconciling a run failed; the next pass retries", {
          runId: run.id,
          state: run.state,
          reason: reasonOf(error),
        });
      }
    }
  }
  return summary;
}

async function failIfLate(deps: EngineDeps & { deadlines: StageDeadlines }, run: Run): Promise<boolean> {
  if (isTerminal(run.state)) return false;
  const limit = deps.deadlines[run.state];
  const elapsed = deps.clock.now().getTime() - Date.parse(stageStartedAt(run));
  if (!(elapsed > limit)) return false;
  await failStage(deps, run, run.state, `timed out: ${run.state} took longer than its deadline of ${minutes(limit)}`);
  return true;
}
