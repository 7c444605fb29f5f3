import { basename, dirname, isAbsolute, join } from "node:path";
import { spawn } from "node:child_process";
import { METRIC_NAMES, NotFoundError, ValidationError, keys, renderReportHtml, type RunReport } from "@genq/core";
import type { LocalDeps } from "./local-deps.ts";

/** A report found for `genq report`: the run, its report, and where its files are on disk. */
export interface FoundReport {
  runId: string;
  report: RunReport;
  htmlPath: string;
  exportPaths: string[];
}

/**
 * The report `genq report` shows: the run named, else the run that serves the corpus (or its latest run
 * with a report); the corpus may be left out when there is only one. report.html is rendered again from
 * report.json so a report written by an earlier genq opens with the current charts.
 */
export async function findReport(
  deps: LocalDeps,
  input: { corpus?: string | undefined; run?: string | undefined },
): Promise<FoundReport> {
  let runId = input.run;
  if (!runId) {
    const corpora = await deps.repo.listCorpora();
    const name = input.corpus ?? (corpora.length === 1 ? corpora[0]!.name : undefined);
    if (!name)
      throw new NotFoundError(
        corpora.length
          ? `several corpora (${corpora.map((c) => c.name).join(", ")}): name one with --corpus or a run with --run`
          : "no corpora yet: run `genq run --docs <folder> --corpus NAME` first",
      );
    const corpus = await deps.repo.getCorpus(name);
    if (!corpus) throw new NotFoundError(`corpus "${name}" not found`);
    const runs = (await deps.repo.listRuns(name))
      .filter((r) => r.artifacts.reportKey)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    runId = corpus.servingRunId ?? runs[0]?.id;
    if (!runId) throw new NotFoundError(`corpus "${name}" has no report yet: start a run`);
  }
  const run = await deps.repo.getRun(runId);
  if (!run) throw new NotFoundError(`run "${runId}" not found`);
  if (!run.artifacts.reportKey) throw new NotFoundError(`run "${runId}" has no report yet (it is ${run.state})`);
  const report = JSON.parse(new TextDecoder().decode(await deps.blobs.get(run.artifacts.reportKey))) as RunReport;
  const htmlKey = keys.report(run.corpus, run.id, "html");
  await deps.blobs.put(htmlKey, renderReportHtml(report, { exportLinks: true }));
  const onDisk = (key: string) => join(deps.config.dataDir, "bucket", key);
  return {
    runId: run.id,
    report,
    htmlPath: onDisk(htmlKey),
    exportPaths: (report.exports ?? []).map((e) => onDisk(keys.result(run.corpus, run.id, e.file))),
  };
}

const f3 = (x: number) => x.toFixed(3);

/** The report on one screen: verdict, each query set's systems with nDCG@10 and its 95% interval, the exports, the file. */
export function formatReport(found: FoundReport): string {
  const r = found.report;
  const lines = [
    `report of run ${r.runId} (corpus ${r.corpus}, ${r.createdAt})`,
    `  ${r.gate.promote ? "promoted" : "not promoted"}: ${r.gate.reason}`,
    `  serving setup: ${r.servingMode}`,
  ];
  for (const e of r.evaluations) {
    const names = Object.keys(e.systems);
    const width = Math.max(6, ...names.map((n) => n.length));
    lines.push(
      "",
      `${e.name} (${e.queries} queries)`,
      `  ${"system".padEnd(width)}  ${METRIC_NAMES.map((m) => m.padStart(11)).join("")}  nDCG@10 95% CI`,
    );
    for (const n of names) {
      const s = e.systems[n]!;
      const ci = s.intervals?.["ndcg@10"] ?? s.ndcgInterval;
      lines.push(
        `  ${n.padEnd(width)}  ${METRIC_NAMES.map((m) => f3(s.metrics[m]).padStart(11)).join("")}  ${ci ? `[${f3(ci.low)}, ${f3(ci.high)}]` : ""}`,
      );
    }
    if (e.ablation)
      lines.push(
        `  what fine-tuning adds: ${e.ablation.difference.mean >= 0 ? "+" : ""}${f3(e.ablation.difference.mean)} nDCG@10, 95% CI [${f3(e.ablation.difference.low)}, ${f3(e.ablation.difference.high)}]`,
      );
  }
  if (found.exportPaths.length)
    lines.push(
      "",
      `per-query results: ${dirname(found.exportPaths[0]!)}/ (${found.exportPaths.map((p) => basename(p)).join(", ")})`,
    );
  lines.push("", `report: ${isAbsolute(found.htmlPath) ? found.htmlPath : join(process.cwd(), found.htmlPath)}`);
  return lines.join("\n");
}

/**
 * Open the report in the browser: `$BROWSER` when set (the usual convention), else the system's opener
 * (xdg-open, open, start) through the `open` package. A browser that cannot start is an error that says so.
 */
export async function openInBrowser(path: string): Promise<void> {
  const browser = process.env.BROWSER?.trim();
  if (browser) {
    const child = spawn(browser, [path], { detached: true, stdio: "ignore" });
    await new Promise<void>((resolve, reject) => {
      child.once("error", (e) =>
        reject(new ValidationError(`could not start the browser "${browser}" (BROWSER): ${e.message}`)),
      );
      child.once("spawn", () => resolve());
    });
    child.unref();
    return;
  }
  const { default: open } = await import("open");
  (await open(path)).unref();
}
