import cluster from "node:cluster";
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDomainError } from "@genq/core";
import { ConfigError, loadConfig } from "./config.ts";
import { ingestFolder } from "./ingest-folder.ts";
import { createLocalDeps } from "./local-deps.ts";
import { corpusStatus, formatStatus } from "./status.ts";
import { formatRunSummary, runPipeline } from "./run-command.ts";
import { followEvents } from "./follow.ts";
import { exposureNote, forkServeWorkers, serveLocal, serverUrl } from "./serve.ts";
import { findReport, formatReport, openInBrowser } from "./report-command.ts";
import { evaluateJudgments, formatEval } from "./eval-command.ts";
import { createSqliteApiKeys } from "@genq/local";

const say = (line: string) => void process.stdout.write(`${line}\n`);

/** Training progress as a rewriting line on a terminal, a line per 25% otherwise. */
function createTrainingProgress() {
  let lastQuarter = -1;
  return (p: { fraction: number; loss: number }) => {
    const pct = Math.round(p.fraction * 100);
    if (process.stdout.isTTY) process.stdout.write(`\r  training ${pct}% (loss ${p.loss.toFixed(3)})${pct >= 100 ? "\n" : ""}`);
    else if (Math.floor(pct / 25) > lastQuarter) {
      lastQuarter = Math.floor(pct / 25);
      say(`  training ${pct}% (loss ${p.loss.toFixed(3)})`);
    }
  };
}

const USAGE = `genq — domain-tuned semantic search from your documents

usage:
  genq start [--data DIR]                              run the shipped examples end to end
  genq ingest <folder|corpus.jsonl> --corpus NAME [--data DIR]
  genq run --docs <folder|corpus.jsonl> --corpus NAME [--queries queries.jsonl --qrels qrels.tsv] [--data DIR]
  genq eval --corpus NAME --queries queries.jsonl --qrels qrels.tsv [--run RUN] [--json] [--data DIR]
  genq status [--corpus NAME] [--json] [--follow] [--data DIR]
  genq serve [--port N] [--data DIR]                   serve the HTTP API (default port 8787)
  genq keys create [--tenant NAME] [--data DIR]        make an API key (shown once)
  genq report [--corpus NAME] [--run RUN] [--open] [--data DIR]
                                                       print a run's report (the serving run by default), or open it

genq run exits 0 when the run is ready, 3 when the quality gate rejected it, 1 when it failed.

Data lives in --data DIR (default ./.genq, or GENQ_DATA_DIR).`;

const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../examples/postgresql-docs");

/** Entry point of the `genq` command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let args;
  try {
    args = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        corpus: { type: "string" },
        docs: { type: "string" },
        queries: { type: "string" },
        qrels: { type: "string" },
        port: { type: "string" },
        tenant: { type: "string" },
        run: { type: "string" },
        data: { type: "string" },
        json: { type: "boolean", default: false },
        follow: { type: "boolean", short: "f", default: false },
        open: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (!command || command === "help" || args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 1;
  }
  let config;
  try {
    config = loadConfig(process.env, { data: args.values.data, port: args.values.port });
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  const progress = createTrainingProgress();
  const deps = createLocalDeps(config, { onTrainingProgress: progress });
  try {
    switch (command) {
      case "ingest": {
        const source = args.positionals[0];
        if (!source) return fail("ingest needs a folder or a corpus.jsonl to read");
        if (!args.values.corpus) return fail("ingest needs --corpus NAME");
        if (!existsSync(source)) return fail(`no such file or folder: ${source}`);
        const summary = await ingestFolder(deps, { source, corpus: args.values.corpus });
        process.stdout.write(
          `ingested ${summary.files} files into ${args.values.corpus}: ${summary.documents} documents, ${summary.passages} passages, ${summary.rejected} rejected\n`,
        );
        return 0;
      }
      case "run": {
        if (!args.values.corpus) return fail("run needs --corpus NAME");
        if (args.values.docs && !existsSync(args.values.docs)) return fail(`no such file or folder: ${args.values.docs}`);
        const outcome = await runPipeline(deps, { docs: args.values.docs, corpus: args.values.corpus, queries: args.values.queries, qrels: args.values.qrels }, say);
        say(formatRunSummary(outcome));
        return outcome.run.state === "ready" ? 0 : outcome.run.state === "rejected" ? 3 : 1;
      }
      case "eval": {
        const { corpus, queries, qrels } = args.values;
        if (!corpus || !queries || !qrels) return fail("eval needs --corpus NAME --queries queries.jsonl --qrels qrels.tsv");
        for (const f of [queries, qrels]) if (!existsSync(f)) return fail(`no such file: ${f}`);
        const result = await evaluateJudgments(deps, { corpus, queries, qrels, run: args.values.run });
        say(args.values.json ? JSON.stringify({ queries: result.queries, systems: result.systems, served: result.served }) : formatEval(result));
        return 0;
      }
      case "status":
        if (args.values.follow) {
          await followEvents(deps, args.values.corpus, (line) => say(line), untilSignal());
          return 0;
        }
        return await printStatus(deps, args.values.corpus, args.values.json);
      case "start":
        return await start(deps);
      case "serve": {
        if (config.workers > 1 && cluster.isPrimary) {
          const pool = await forkServeWorkers(config.workers);
          say(`genq API on ${serverUrl(config.host, config.port)} (console: /, API reference: /docs, OpenAPI: /openapi.json), ${config.workers} processes`);
          if (exposureNote(config.host)) say(exposureNote(config.host)!);
          announceKey(deps);
          await untilSignal();
          pool.stop();
          return 0;
        }
        const handle = await serveLocal(deps, config.port, { pump: !cluster.isWorker || cluster.worker?.id === 1 });
        if (cluster.isPrimary) {
          say(`genq API on ${serverUrl(config.host, handle.port)} (console: /, API reference: /docs, OpenAPI: /openapi.json)`);
          if (exposureNote(config.host)) say(exposureNote(config.host)!);
          announceKey(deps);
        }
        await untilSignal();
        await handle.stop();
        return 0;
      }
      case "report": {
        const found = await findReport(deps, { corpus: args.values.corpus, run: args.values.run });
        say(formatReport(found));
        if (args.values.open) {
          await openInBrowser(found.htmlPath);
          say(`opened ${found.htmlPath}`);
        }
        return 0;
      }
      case "keys": {
        if (args.positionals[0] !== "create") return fail("usage: genq keys create [--tenant NAME]");
        say(createSqliteApiKeys(deps.db).create(args.values.tenant ?? config.tenant));
        return 0;
      }
      default:
        return fail(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    if (isDomainError(error)) return fail(error.message);
    throw error;
  } finally {
    deps.close();
  }
}

/** `npm start`: the shipped examples from nothing to a served, evaluated index. */
async function start(deps: ReturnType<typeof createLocalDeps>): Promise<number> {
  const corpus = "examples";
  const started = Date.now();
  say(`genq: ingesting the shipped examples (PostgreSQL documentation) into corpus "${corpus}" — data in ${deps.config.dataDir}`);
  const ingest = await ingestFolder(deps, { source: EXAMPLES_DIR, corpus, quiet: true });
  say(`  ${ingest.files} files, ${ingest.documents} documents, ${ingest.passages} passages, ${ingest.rejected} rejected`);
  let reportRun = (await deps.repo.getCorpus(corpus))?.servingRunId ?? null;
  if (await needsRun(deps, corpus)) {
    const outcome = await runPipeline(deps, { corpus }, say);
    say(formatRunSummary(outcome));
    if (outcome.run.state === "failed") return 1;
    reportRun = outcome.run.id;
  } else {
    say(`  the serving index (run ${reportRun}) is up to date with the documents: nothing to retrain`);
  }
  const handle = await serveLocal(deps, deps.config.port);
  const url = serverUrl(deps.config.host, handle.port);
  say(`\nready in ${((Date.now() - started) / 1000).toFixed(1)} s — genq API on ${url} (OpenAPI: ${url}/openapi.json)`);
  say(`console: ${url}/ (sign in with the API key) · API reference: ${url}/docs`);
  const key = announceKey(deps);
  say(`\ntry:\n  curl -s ${url}/v1/corpora/${corpus}/search -H "Authorization: Bearer ${key ?? "$GENQ_API_KEY"}" -H "Content-Type: application/json" -d '{"query": "how do I create an index on an expression?", "k": 3}'`);
  if (reportRun) say(`  curl -s ${url}/v1/runs/${reportRun}/report -H "Accept: text/html" -H "Authorization: Bearer ${key ?? "$GENQ_API_KEY"}" > report.html`);
  say("\nCtrl-C stops the server.");
  await untilSignal();
  await handle.stop();
  return 0;
}

/** Whether the corpus lacks a serving index, or has documents newer than it. */
async function needsRun(deps: ReturnType<typeof createLocalDeps>, corpus: string): Promise<boolean> {
  const c = await deps.repo.getCorpus(corpus);
  const serving = c?.servingRunId ? await deps.repo.getRun(c.servingRunId) : null;
  if (!serving) return true;
  return (await deps.repo.listDocuments(corpus)).some((d) => d.updatedAt > serving.createdAt);
}

/** Print a new API key once, the first time the local tenant needs one; returns it when made now. */
function announceKey(deps: ReturnType<typeof createLocalDeps>): string | null {
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

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

async function printStatus(deps: ReturnType<typeof createLocalDeps>, corpus: string | undefined, json: boolean): Promise<number> {
  const names = corpus ? [corpus] : (await deps.repo.listCorpora()).map((c) => c.name);
  const statuses = [];
  for (const name of names) {
    const s = await corpusStatus(deps, name);
    if (!s) return fail(`corpus "${name}" not found`);
    statuses.push(s);
  }
  if (json) process.stdout.write(`${JSON.stringify(corpus ? statuses[0] : statuses, null, 2)}\n`);
  else process.stdout.write(`${statuses.length ? statuses.map(formatStatus).join("\n\n") : "no corpora yet: try `genq ingest <folder> --corpus NAME`"}\n`);
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`genq: ${message}\n`);
  return 1;
}


