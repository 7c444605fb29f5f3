import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createSqliteApiKeys } from "@genq/local";
import { EXIT, type ExitCode } from "./exit-codes.ts";
import { ingestFolder } from "./ingest-folder.ts";
import type { LocalDeps } from "./local-deps.ts";
import { formatRunSummary, runPipeline } from "./run-command.ts";
import { exposureNote, serveLocal, serverUrl } from "./serve.ts";

const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../examples/postgresql-docs");

const say = (line: string) => void process.stdout.write(`${line}\n`);

/** Resolves on the first SIGINT or SIGTERM (how a server is asked to stop). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

/**
 * `genq start` (what `npm start` runs): the shipped examples from nothing to a served, evaluated index.
 * A second start reuses the data folder: unchanged documents are not re-chunked and, when the serving
 * index is up to date with the documents, nothing is retrained. Serves until SIGINT or SIGTERM, then
 * stops gracefully.
 */
export async function start(deps: LocalDeps, interrupted: () => void): Promise<ExitCode> {
  const corpus = "examples";
  const started = Date.now();
  say(
    `genq: ingesting the shipped examples (PostgreSQL documentation) into corpus "${corpus}" — data in ${deps.config.dataDir}`,
  );
  const ingest = await ingestFolder(deps, { source: EXAMPLES_DIR, corpus, quiet: true });
  say(
    `  ${ingest.files} files, ${ingest.documents} documents, ${ingest.passages} passages, ${ingest.rejected} rejected`,
  );
  let reportRun = (await deps.repo.getCorpus(corpus))?.servingRunId ?? null;
  if (await needsRun(deps, corpus)) {
    const outcome = await runPipeline(deps, { corpus }, say);
    say(formatRunSummary(outcome));
    if (outcome.run.state === "failed") return EXIT.failure;
    reportRun = outcome.run.id;
  } else {
    say(`  the serving index (run ${reportRun}) is up to date with the documents: nothing to retrain`);
  }
  const handle = await serveLocal(deps, deps.config.port, { pipeline: deps.config.pipeline });
  const url = serverUrl(deps.config.host, handle.port);
  say(
    `\nready in ${((Date.now() - started) / 1000).toFixed(1)} s — genq on ${url} (console: ${url}/, API reference: ${url}/docs, OpenAPI: ${url}/openapi.json)`,
  );
  const note = exposureNote(deps.config.host);
  if (note) say(note);
  const key = announceKey(deps);
  say(
    `\ntry:\n  curl -s ${url}/v1/corpora/${corpus}/search -H "Authorization: Bearer ${key ?? "$GENQ_API_KEY"}" -H "Content-Type: application/json" -d '{"query": "how do I create an index on an expression?", "k": 3}'`,
  );
  if (reportRun)
    say(
      `  curl -s ${url}/v1/runs/${reportRun}/report -H "Accept: text/html" -H "Authorization: Bearer ${key ?? "$GENQ_API_KEY"}" > report.html`,
    );
  say("\nCtrl-C stops the server.");
  interrupted();
  await untilSignal();
  await handle.stop();
  return EXIT.ok;
}

/** Whether the corpus lacks a serving index, or has documents newer than it. */
async function needsRun(deps: LocalDeps, corpus: string): Promise<boolean> {
  const c = await deps.repo.getCorpus(corpus);
  const serving = c?.servingRunId ? await deps.repo.getRun(c.servingRunId) : null;
  if (!serving) return true;
  return (await deps.repo.listDocuments(corpus)).some((d) => d.updatedAt > serving.createdAt);
}

/** Print a new API key once, the first time the local tenant needs one; returns it when made now. */
export function announceKey(deps: LocalDeps): string | null {
  if (process.env.GENQ_API_KEY) return process.env.GENQ_API_KEY;
  const keys = createSqliteApiKeys(deps.db);
  if (keys.count(deps.config.tenant) > 0) {
    say("API key: the one printed on first start (or set GENQ_API_KEY; `genq keys create` makes another)");
    return null;
  }
  const key = keys.create(deps.config.tenant);
  say(`API key (shown once, keep it): ${key}`);
  return key;
}
