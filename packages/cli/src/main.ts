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
  genq status [--corpus NAME] [--json] [--data DIR]

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
        data: { type: "string" },
        json: { type: "boolean", default: false },
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
      case "status":
        return await printStatus(deps, args.values.corpus, args.values.json);
      case "start": {
        const corpus = "examples";
        process.stdout.write(`genq: ingesting the shipped examples into corpus "${corpus}" (data in ${config.dataDir})\n`);
        await ingestFolder(deps, { source: EXAMPLES_DIR, corpus });
        return await printStatus(deps, corpus, false);
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

export const examplesDir = EXAMPLES_DIR;

