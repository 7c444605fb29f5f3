import cluster from "node:cluster";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { registerAdminCommands } from "./admin-program.ts";
import {
  configOf,
  corpusOf,
  err,
  Exit,
  exitOnInterrupt,
  out,
  report,
  setDataBeforeCommand,
  usage,
  withDeps,
  type Common,
} from "./cli-runtime.ts";
import { evaluateJudgments, formatEval } from "./eval-command.ts";
import { EXIT, EXIT_CODES_HELP, type ExitCode } from "./exit-codes.ts";
import { eventJson, followEvents, formatEvent } from "./follow.ts";
import { formatChanges, ingestFolder } from "./ingest-folder.ts";
import { formatRunSummary, runJson, runPipeline } from "./run-command.ts";
import { findReport, formatReport, openInBrowser } from "./report-command.ts";
import { exposureNote, forkServeWorkers, serveLocal, serverUrl } from "./serve.ts";
import { announceKey, start, untilSignal } from "./start-command.ts";
import { corpusStatus, formatStatus } from "./status.ts";

const VERSION = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Whether an ingest source has nothing to ingest: a folder without a file anywhere in it, or an empty file. */
function holdsNothing(source: string): boolean {
  const info = statSync(source);
  if (!info.isDirectory()) return info.size === 0;
  return !readdirSync(source, { recursive: true, withFileTypes: true }).some((e) => !e.isDirectory());
}

/** The `genq` program: commands, options, help and version, with exit codes instead of exits. */
function buildProgram(setCode: (code: ExitCode) => void): Command {
  const program = new Command("genq")
    .description("genq — domain-tuned semantic search and question answering from your documents")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, "genq: ")),
    })
    .addHelpText(
      "after",
      `\nData lives in --data DIR (default ./.genq, or GENQ_DATA_DIR). Settings: GENQ_* variables (see the README).\n\n${EXIT_CODES_HELP}`,
    )
    .option("--data <dir>", "data folder, before or after the command (default ./.genq, or GENQ_DATA_DIR)")
    .hook("preSubcommand", (cmd) => setDataBeforeCommand((cmd.opts() as Common).data));
  const common = (cmd: Command) =>
    cmd.option("--data <dir>", "data folder (default ./.genq, or GENQ_DATA_DIR)").exitOverride();

  common(
    program
      .command("start")
      .description("run the shipped examples end to end and serve the API (what npm start runs)")
      .option("--port <n>", "HTTP port (default 8787, or GENQ_PORT)"),
  ).action(async (opts: Common) =>
    setCode(
      await withDeps(opts, (deps) =>
        start(deps, exitOnInterrupt("the next genq start continues where this one stopped")),
      ),
    ),
  );

  common(
    program
      .command("ingest")
      .description("copy a folder (or a corpus.jsonl) into a corpus and chunk it")
      .argument("<source>", "folder or BEIR corpus.jsonl")
      .requiredOption("--corpus <name>", "corpus to ingest into")
      .option(
        "--sync",
        "make the corpus match the folder: documents whose file is gone are deleted; prints what changed",
      )
      .option("--json", "print the summary as JSON"),
  ).action(async (source: string, opts: Common & { corpus: string; sync?: boolean; json?: boolean }) => {
    const corpus = corpusOf(opts.corpus, "ingest");
    if (!existsSync(source)) throw usage(`no such file or folder: ${source}`);
    // Syncing to one document would delete every other document of the corpus: refuse what is surely a slip.
    if (opts.sync && !statSync(source).isDirectory() && !source.endsWith(".jsonl")) {
      throw usage(
        `--sync makes a corpus match a folder or a corpus.jsonl, and ${source} is one document: ingest it without --sync`,
      );
    }
    // Syncing to nothing would delete the whole corpus: an empty folder is more often a wrong path or an unmounted volume.
    if (opts.sync && holdsNothing(source)) {
      throw usage(
        `--sync from ${source}, which holds no documents, would delete every document of corpus "${corpus}": to empty a corpus, delete it (genq corpora delete ${corpus})`,
      );
    }
    await withDeps(opts, async (deps) => {
      const stop = exitOnInterrupt("run the same ingest again to finish it (nothing is ingested twice)");
      const s = await ingestFolder(deps, {
        source,
        corpus,
        sync: opts.sync,
        progress: opts.json ? process.stderr : process.stdout,
      });
      stop();
      if (opts.json) out(JSON.stringify({ corpus, ...s }));
      else if (opts.sync) out(formatChanges(corpus, s));
      else
        out(
          `ingested ${s.files} files into ${corpus}: ${s.documents} documents, ${s.passages} passages, ${s.rejected} rejected${s.rejected ? " (genq status lists the reasons)" : ""}`,
        );
    });
  });

  common(
    program
      .command("run")
      .description(
        "ingest (optional), then generate, train, index, evaluate and promote; follows a run already in progress",
      )
      .requiredOption("--corpus <name>", "corpus to run")
      .option("--docs <source>", "folder or corpus.jsonl to ingest first")
      .option("--queries <file>", "BEIR queries.jsonl of judged queries (evaluation only)")
      .option("--qrels <file>", "BEIR qrels.tsv for --queries")
      .option("--json", "print the outcome as JSON (progress goes to stderr)"),
  )
    .addHelpText(
      "after",
      "\nExit code: 0 ready, 3 rejected by the quality gate, 1 failed, 130 interrupted (the run continues with the next genq run).",
    )
    .action(
      async (opts: Common & { corpus: string; docs?: string; queries?: string; qrels?: string; json?: boolean }) => {
        const corpus = corpusOf(opts.corpus, "run");
        if (opts.docs && !existsSync(opts.docs)) throw usage(`no such file or folder: ${opts.docs}`);
        if (Boolean(opts.queries) !== Boolean(opts.qrels)) throw usage("--queries and --qrels go together");
        for (const f of [opts.queries, opts.qrels]) if (f && !existsSync(f)) throw usage(`no such file: ${f}`);
        await withDeps(
          opts,
          async (deps) => {
            const stop = exitOnInterrupt(`the run continues when \`genq run --corpus ${corpus}\` runs again`);
            const print = opts.json ? err : out;
            const outcome = await runPipeline(
              deps,
              {
                docs: opts.docs,
                corpus,
                queries: opts.queries,
                qrels: opts.qrels,
                progress: opts.json ? process.stderr : process.stdout,
              },
              print,
            );
            stop();
            if (opts.json) out(JSON.stringify(runJson(outcome)));
            else out(formatRunSummary(outcome));
            setCode(
              outcome.run.state === "ready" ? EXIT.ok : outcome.run.state === "rejected" ? EXIT.rejected : EXIT.failure,
            );
          },
          { json: opts.json },
        );
      },
    );

  common(
    program
      .command("eval")
      .description("score the serving run (or --run) on BEIR judgments: every system the report shows")
      .requiredOption("--corpus <name>", "corpus")
      .requiredOption("--queries <file>", "BEIR queries.jsonl")
      .requiredOption("--qrels <file>", "BEIR qrels.tsv")
      .option("--run <id>", "a run other than the serving one")
      .option("--json", "print the scores as JSON"),
  ).action(async (opts: Common & { corpus: string; queries: string; qrels: string; run?: string; json?: boolean }) => {
    const corpus = corpusOf(opts.corpus, "eval");
    for (const f of [opts.queries, opts.qrels]) if (!existsSync(f)) throw usage(`no such file: ${f}`);
    await withDeps(opts, async (deps) => {
      const stop = exitOnInterrupt("nothing was changed");
      const result = await evaluateJudgments(deps, { corpus, queries: opts.queries, qrels: opts.qrels, run: opts.run });
      stop();
      out(
        opts.json
          ? JSON.stringify({ queries: result.queries, systems: result.systems, served: result.served })
          : formatEval(result),
      );
    });
  });

  common(
    program
      .command("status")
      .description("documents, passages, rejected files, runs, events; --follow prints stage events as they happen")
      .option("--corpus <name>", "one corpus only")
      .option("--json", "print as JSON (with --follow: one event per line)")
      .option("-f, --follow", "print stage events as they are published, until Ctrl-C"),
  ).action(async (opts: Common & { corpus?: string; json?: boolean; follow?: boolean }) => {
    if (opts.corpus) corpusOf(opts.corpus, "status");
    const config = configOf(opts);
    if (!existsSync(join(config.dataDir, "genq.db"))) {
      if (opts.corpus)
        throw new Exit(EXIT.failure, `corpus "${opts.corpus}" not found (no data in ${config.dataDir} yet)`);
      out(opts.json ? "[]" : `no corpora yet in ${config.dataDir}: try \`genq ingest <folder> --corpus NAME\``);
      return;
    }
    await withDeps(
      opts,
      async (deps) => {
        if (opts.follow) {
          await followEvents(
            deps,
            opts.corpus,
            out,
            untilSignal().then(() => undefined),
            250,
            opts.json ? eventJson : formatEvent,
          );
          return;
        }
        const names = opts.corpus ? [opts.corpus] : (await deps.repo.listCorpora()).map((c) => c.name);
        const statuses = [];
        for (const name of names) {
          const s = await corpusStatus(deps, name);
          if (!s) throw new Exit(EXIT.failure, `corpus "${name}" not found`);
          statuses.push(s);
        }
        if (opts.json) out(JSON.stringify(opts.corpus ? statuses[0] : statuses, null, 2));
        else
          out(
            statuses.length
              ? statuses.map(formatStatus).join("\n\n")
              : "no corpora yet: try `genq ingest <folder> --corpus NAME`",
          );
      },
      { readOnly: !opts.follow },
    );
  });

  common(
    program
      .command("serve")
      .description("serve the HTTP API and keep the pipeline moving (GENQ_SERVE_WORKERS processes)")
      .option("--port <n>", "HTTP port (default 8787, or GENQ_PORT)"),
  ).action(async (opts: Common) => {
    const config = configOf(opts);
    if (config.workers > 1 && cluster.isPrimary) {
      // The primary checks the data folder (and makes the key) before any worker starts.
      await withDeps(opts, async (deps) => {
        const pool = await forkServeWorkers(config.workers, (config.shutdownSeconds + 5) * 1000).catch(
          (error: { exitCode?: number }) => {
            throw new Exit((error.exitCode ?? EXIT.failure) as ExitCode, "");
          },
        );
        out(
          `genq API on ${serverUrl(config.host, config.port)} (console: /, API reference: /docs, OpenAPI: /openapi.json), ${config.workers} processes`,
        );
        const note = exposureNote(config.host);
        if (note) out(note);
        announceKey(deps);
        await untilSignal();
        await pool.stop();
      });
      return;
    }
    await withDeps(opts, async (deps) => {
      // Listening for the signal from the start: one that comes while the server starts stops it once started.
      const signalled = untilSignal();
      const handle = await serveLocal(deps, config.port, {
        pump: !cluster.isWorker || cluster.worker?.id === 1,
        pipeline: config.pipeline,
      });
      if (cluster.isPrimary) {
        out(
          `genq API on ${serverUrl(config.host, handle.port)} (console: /, API reference: /docs, OpenAPI: /openapi.json)`,
        );
        const note = exposureNote(config.host);
        if (note) out(note);
        announceKey(deps);
      }
      await signalled;
      await handle.stop();
    });
  });

  common(
    program
      .command("report")
      .description(
        "print a run's report (the serving run of a corpus by default) and where its files are; --open opens it in a browser",
      )
      .option("--corpus <name>", "corpus (default: the only one, if there is one)")
      .option("--run <id>", "a run other than the serving one")
      .option("--open", "open report.html in a browser"),
  ).action(async (opts: Common & { corpus?: string; run?: string; open?: boolean }) => {
    if (opts.corpus) corpusOf(opts.corpus, "report");
    await withDeps(
      opts,
      async (deps) => {
        const found = await findReport(deps, { corpus: opts.corpus, run: opts.run });
        out(formatReport(found));
        if (opts.open) {
          await openInBrowser(found.htmlPath);
          out(`opened ${found.htmlPath}`);
        }
      },
      { readOnly: !opts.open },
    );
  });

  registerAdminCommands(program, common, setCode);
  return program;
}

/** Entry point of the `genq` command; returns the process exit code (see EXIT). */
export async function main(argv: string[]): Promise<number> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    return report(error);
  }
}
