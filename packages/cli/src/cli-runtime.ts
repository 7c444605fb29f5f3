import { join } from "node:path";
import { CommanderError } from "commander";
import { CorpusName, isDomainError, StorageError } from "@genq/core";
import { storageFault } from "@genq/local";
import { ConfigError, loadConfig, type LocalConfig } from "./config.ts";
import { EXIT, type ExitCode } from "./exit-codes.ts";
import { createLocalDeps, type LocalDeps } from "./local-deps.ts";
import { createTrainingProgress } from "./progress.ts";
import { PortInUseError } from "./serve.ts";

/** What every `genq` command shares: output lines, usage errors, configuration, the data folder, exit codes. */

export const out = (line: string) => void process.stdout.write(`${line}\n`);
export const err = (line: string) => void process.stderr.write(`${line}\n`);

/** A failure with its exit code and the one line users see. */
export class Exit extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}
export const usage = (message: string) => new Exit(EXIT.usage, message);

export interface Common {
  data?: string;
  port?: string;
}

/** Ctrl-C during work that can be picked up again: say so and exit 130. Returns a function that removes the handler. */
export function exitOnInterrupt(what: string): () => void {
  const handler = () => {
    err(`\ngenq: interrupted; ${what}`);
    process.exit(EXIT.interrupted);
  };
  process.once("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}

/** `--data` given before the command (`genq --data DIR status`), for commands not given their own. */
let dataBeforeCommand: string | undefined;
export const setDataBeforeCommand = (data: string | undefined) => void (dataBeforeCommand = data);

export function configOf(opts: Common): LocalConfig {
  try {
    return loadConfig(process.env, { data: opts.data ?? dataBeforeCommand, port: opts.port });
  } catch (error) {
    if (error instanceof ConfigError) throw usage(error.message);
    throw error;
  }
}

export function corpusOf(name: string | undefined, command: string): string {
  if (!name) throw usage(`${command} needs --corpus NAME`);
  const parsed = CorpusName.safeParse(name);
  if (!parsed.success) throw usage(`corpus: ${parsed.error.issues[0]!.message}`);
  return name;
}

/** Open the data folder, run `fn`, close; a storage fault becomes exit 4 with the file named. */
export async function withDeps<T>(
  opts: Common,
  fn: (deps: LocalDeps) => Promise<T>,
  options: { readOnly?: boolean; json?: boolean } = {},
): Promise<T> {
  const config = configOf(opts);
  const progress = createTrainingProgress(options.json ? process.stderr : process.stdout);
  const dbPath = join(config.dataDir, "genq.db");
  let deps: LocalDeps;
  try {
    deps = createLocalDeps(config, { onTrainingProgress: progress, readOnly: options.readOnly });
  } catch (error) {
    throw storageFault(error, dbPath) ?? error;
  }
  try {
    return await fn(deps);
  } catch (error) {
    throw storageFault(error, dbPath) ?? error;
  } finally {
    try {
      deps.close();
    } catch {
      // Closing a database on a full disk can fail too; the first error is the one to report.
    }
  }
}

/** One line on stderr for whatever stopped the command, and its exit code. */
export function report(error: unknown): ExitCode {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof Exit) {
    if (error.message) err(`genq: ${error.message}`);
    return error.code;
  }
  if (error instanceof PortInUseError) {
    err(`genq: ${error.message}`);
    return EXIT.failure;
  }
  if (error instanceof StorageError) {
    err(`genq: ${error.message}`);
    return EXIT.storage;
  }
  if (isDomainError(error)) {
    err(`genq: ${error.message}`);
    return EXIT.failure;
  }
  err(
    `genq: unexpected error: ${error instanceof Error ? error.message : String(error)} (GENQ_LOG_LEVEL=debug logs more)`,
  );
  if (process.env.GENQ_LOG_LEVEL === "debug" && error instanceof Error) err(error.stack ?? "");
  return EXIT.failure;
}
