import { readFileSync } from "node:fs";
import {
  NotFoundError,
  ValidationError,
  activeRun,
  isTerminal,
  startRun,
  storeJudgments,
  type Run,
  type RunReport,
} from "@genq/core";
import { drainAll, ingestFolder } from "./ingest-folder.ts";
import type { LocalDeps } from "./local-deps.ts";
import type { ProgressStream } from "./progress.ts";

export interface RunCommandInput {
  docs?: string;
  corpus: string;
  queries?: string;
  qrels?: string;
  quiet?: boolean;
  /** Where ingest progress goes (stdout by default; stderr when stdout carries JSON). */
  progress?: ProgressStream;
}

export interface RunOutcome {
  run: Run;
  /** True when the run was already in progress and this command followed it rather than starting one. */
  followed: boolean;
  report: RunReport | null;
  reportPath: string | null;
}

/** Store BEIR judgments for a corpus from files (see the storeJudgments use case). */
export async function storeJudgmentFiles(
  deps: LocalDeps,
  corpus: string,
  queriesPath: string,
  qrelsPath: string,
): Promise<number> {
  return (
    await storeJudgments(deps, {
      corpus,
      queries: readFileSync(queriesPath, "utf8"),
      qrels: readFileSync(qrelsPath, "utf8"),
    })
  ).queries;
}

/**
 * `genq run`: ingest (optional), store judgments (optional), start a run and deliver events until it
 * ends. When the corpus already has a run in progress (another process's, or one a crash left), that
 * run is followed to its end and its outcome reported instead. Stage changes and training progress are
 * printed.
 */
export async function runPipeline(
  deps: LocalDeps,
  input: RunCommandInput,
  print: (line: string) => void,
): Promise<RunOutcome> {
  // Whatever a crash left unfinished (in any corpus) moves again before anything new starts.
  await deps.reconcile();
  let run = await activeRun(deps.engine, input.corpus);
  const followed = run !== null;
  if (run) {
    print(
      `following run ${run.id}, already in progress (${run.state}); documents are not ingested into a corpus mid-run`,
    );
  } else {
    // Without documents to ingest, a name no corpus has is a typo: say so rather than make a corpus of it.
    if (!input.docs && !(await deps.repo.getCorpus(input.corpus))) {
      throw new NotFoundError(
        `corpus "${input.corpus}" not found: ingest documents into it first (genq ingest DIR --corpus ${input.corpus}, or genq run --docs DIR)`,
      );
    }
    if (input.docs) {
      const s = await ingestFolder(deps, {
        source: input.docs,
        corpus: input.corpus,
        quiet: input.quiet,
        progress: input.progress,
      });
      print(`ingested ${s.files} files: ${s.documents} documents, ${s.passages} passages, ${s.rejected} rejected`);
    }
    if (input.queries || input.qrels) {
      if (!input.queries || !input.qrels) throw new ValidationError("--queries and --qrels go together");
      print(
        `judgments: ${await storeJudgmentFiles(deps, input.corpus, input.queries, input.qrels)} judged queries (used for evaluation only, never for training)`,
      );
    }
    run =
      (await activeRun(deps.engine, input.corpus)) ??
      (await startRun(deps.engine, { corpus: input.corpus, tenant: deps.config.tenant }));
    print(`run ${run.id} started`);
  }
  let state = run.state;
  const started = Date.now();
  await waitForRun(deps, run.id, (r) => {
    if (r.state === state) return;
    state = r.state;
    print(
      `  ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${r.state}${r.reason && ["failed", "rejected"].includes(r.state) ? `: ${r.reason}` : ""}`,
    );
  });
  const finished = (await deps.repo.getRun(run.id))!;
  const reportKey = finished.artifacts.reportKey;
  const report =
    reportKey && (await deps.blobs.head(reportKey))
      ? (JSON.parse(new TextDecoder().decode(await deps.blobs.get(reportKey))) as RunReport)
      : null;
  const reportPath = reportKey ? `${deps.config.dataDir}/bucket/${reportKey.replace(/\.json$/, ".html")}` : null;
  return { run: finished, followed, report, reportPath };
}

/** What `genq run --json` prints: the run, whether it was followed, the gate's decision, every evaluation's systems and the report. */
export function runJson(outcome: RunOutcome) {
  const { run, report } = outcome;
  return {
    run: {
      id: run.id,
      corpus: run.corpus,
      state: run.state,
      reason: run.reason,
      createdAt: run.createdAt,
      updatedAt: run.updatedAt,
    },
    followed: outcome.followed,
    gate: report?.gate ?? null,
    evaluations: (report?.evaluations ?? []).map((e) => ({
      name: e.name,
      queries: e.queries,
      systems: Object.fromEntries(Object.entries(e.systems).map(([name, s]) => [name, s.metrics])),
    })),
    reportPath: outcome.reportPath,
  };
}

/** The one-screen summary printed at the end of a run. */
export function formatRunSummary(outcome: RunOutcome): string {
  const { run, report, reportPath } = outcome;
  const lines = [`run ${run.id}: ${run.state}${run.reason ? ` — ${run.reason}` : ""}`];
  for (const e of report?.evaluations ?? []) {
    // The name column is as wide as the longest system name (hybrid-untuned), so the numbers line up.
    const width = Math.max(8, ...Object.keys(e.systems).map((n) => n.length));
    lines.push(
      "",
      `${e.name} (${e.queries} queries)`,
      `  ${"system".padEnd(width)} ${["nDCG@10", "MRR@10", "R@10", "R@100"].map((h) => h.padStart(8)).join("")}`,
    );
    for (const [name, s] of Object.entries(e.systems)) {
      const m = s.metrics;
      lines.push(
        `  ${name.padEnd(width)} ${[m["ndcg@10"], m["mrr@10"], m["recall@10"], m["recall@100"]].map((x) => x.toFixed(3).padStart(8)).join("")}`,
      );
    }
    for (const s of e.significance)
      lines.push(
        `  ${s.system} vs ${s.against}: ΔnDCG@10 ${s.meanDifference >= 0 ? "+" : ""}${s.meanDifference.toFixed(3)}, p = ${s.pValue.toFixed(4)}`,
      );
  }
  if (reportPath) lines.push("", `report: ${reportPath}`);
  return lines.join("\n");
}

/**
 * Deliver events until the run has ended and its outcome is announced. When nothing is left to deliver
 * and no job runs but the run is still unfinished (its command was lost), the reconciler issues it again
 * — or fails the run once its stage is past its deadline. While a job works the reconciler still runs
 * every `reconcileSeconds`, so a job that hangs fails its stage at the deadline.
 */
export async function waitForRun(deps: LocalDeps, runId: string, onChange: (run: Run) => void): Promise<Run> {
  for (;;) {
    const onDelivered = () => void deps.repo.getRun(runId).then((r) => r && onChange(r));
    await drainAll(deps, onDelivered, { jobWaitMs: deps.config.reconcileSeconds * 1000 });
    const run = await deps.repo.getRun(runId);
    if (!run) throw new ValidationError(`run ${runId} no longer exists`);
    onChange(run);
    if (isTerminal(run.state) && run.outcomePublished) return run;
    await deps.reconcile();
    if (deps.outbox.nextDueInMs() === null && deps.jobs.active === 0) await new Promise((r) => setTimeout(r, 1000));
  }
}
