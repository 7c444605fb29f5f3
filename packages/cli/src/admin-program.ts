import type { Command } from "commander";
import { createSqliteApiKeys } from "@genq/local";
import { cancelRunLine, deleteCorpusLine, listCorporaLines, listKeyLines, revokeKeyLine } from "./admin-commands.ts";
import { configOf, corpusOf, out, usage, withDeps, type Common } from "./cli-runtime.ts";
import { formatDoctor, runDoctor } from "./doctor.ts";
import { EXIT, type ExitCode } from "./exit-codes.ts";

/** The administration commands of `genq`: API keys, corpora, cancelling a run, the doctor. */
export function registerAdminCommands(
  program: Command,
  common: (cmd: Command) => Command,
  setCode: (code: ExitCode) => void,
): void {
  const keys = program.command("keys").description("API keys").exitOverride();
  common(
    keys
      .command("create")
      .description("make an API key for a tenant (shown once)")
      .option("--tenant <name>", "tenant (default GENQ_TENANT, or local)"),
  ).action(async (opts: Common & { tenant?: string }) => {
    // A key whose tenant is blank is refused by every request: never hand one out.
    if (
      opts.tenant !== undefined &&
      (!opts.tenant.trim() || opts.tenant !== opts.tenant.trim() || /\p{Cc}/u.test(opts.tenant))
    ) {
      throw usage(
        `--tenant: a tenant is a name without surrounding spaces or control characters, not ${JSON.stringify(opts.tenant)}`,
      );
    }
    await withDeps(opts, async (deps) => out(createSqliteApiKeys(deps.db).create(opts.tenant ?? deps.config.tenant)));
  });
  common(
    keys
      .command("list")
      .description("API keys by id, never the keys themselves (every tenant's without --tenant)")
      .option("--tenant <name>", "one tenant only"),
  ).action(async (opts: Common & { tenant?: string }) =>
    withDeps(opts, async (deps) => listKeyLines(deps, opts.tenant).forEach((l) => out(l))),
  );
  common(
    keys
      .command("revoke")
      .description("revoke an API key by its id (see keys list): requests with it get 401 from then on")
      .argument("<id>", "the key's id")
      .option("--tenant <name>", "the tenant whose key it is"),
  ).action(async (id: string, opts: Common & { tenant?: string }) =>
    withDeps(opts, async (deps) => out(revokeKeyLine(deps, id, opts.tenant))),
  );

  const corpora = program.command("corpora").description("corpora: list them, delete one").exitOverride();
  common(
    corpora.command("list").description("every corpus with its tenant, what serves it and a run in progress"),
  ).action(async (opts: Common) =>
    withDeps(opts, async (deps) => (await listCorporaLines(deps)).forEach((l) => out(l))),
  );
  common(
    corpora
      .command("delete")
      .description(
        "delete a corpus with everything it owns: documents, passages, runs, index versions, models (refused while a run is in progress)",
      )
      .argument("<name>", "corpus"),
  ).action(async (name: string, opts: Common) => {
    const corpus = corpusOf(name, "corpora delete");
    await withDeps(opts, async (deps) => out(await deleteCorpusLine(deps, corpus)));
  });

  common(
    program
      .command("cancel")
      .description(
        'cancel a run in progress: it ends failed with the reason "cancelled on request" and frees its corpus',
      )
      .argument("<run>", "run id (genq status shows it)"),
  ).action(async (runId: string, opts: Common) =>
    withDeps(opts, async (deps) => out(await cancelRunLine(deps, runId))),
  );

  common(
    program
      .command("doctor")
      .description("check the data folder and database; --repair fixes what is safe to fix")
      .option(
        "--repair",
        "remove left-over temporary files, rebuild damaged indexes, re-chunk documents whose passages are gone",
      )
      .option("--json", "print the checks as JSON"),
  ).action(async (opts: Common & { repair?: boolean; json?: boolean }) => {
    const checks = await runDoctor(configOf(opts), { repair: Boolean(opts.repair) });
    out(opts.json ? JSON.stringify({ checks }) : formatDoctor(checks));
    if (checks.some((c) => c.status === "fail"))
      setCode(checks.some((c) => c.status === "fail" && c.name === "database") ? EXIT.storage : EXIT.failure);
  });
}
