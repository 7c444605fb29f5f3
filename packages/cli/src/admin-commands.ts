import { deleteCorpus } from "@genq/core";
import { createSqliteApiKeys } from "@genq/local";
import type { LocalDeps } from "./local-deps.ts";

/**
 * `genq corpora list|delete NAME`: the corpora with their state, or a corpus deleted with everything it
 * owns (refused while a run is in progress). Returns the lines to print; throws domain errors.
 */
export async function corporaCommand(deps: LocalDeps, action: string | undefined, name: string | undefined): Promise<string[]> {
  if (action === "list" || action === undefined) {
    const corpora = await deps.repo.listCorpora();
    if (!corpora.length) return ["no corpora yet: try `genq ingest <folder> --corpus NAME`"];
    return corpora.map((c) => `${c.name.padEnd(24)} tenant ${c.tenant}  serving ${c.servingRunId ?? "nothing yet"}${c.activeRunId ? `  run ${c.activeRunId}` : ""}${c.deletingSince ? "  (being deleted)" : ""}`);
  }
  if (action === "delete") {
    if (!name) throw new UsageError("usage: genq corpora delete NAME");
    const out = await deleteCorpus(deps.documentDeps, { corpus: name });
    return [`deleted corpus ${name}: ${out.runs} runs, ${out.objects} stored objects, its index versions and models`];
  }
  throw new UsageError("usage: genq corpora list | genq corpora delete NAME");
}

/** `genq keys create|list|revoke`: API keys of a tenant (all tenants' for list without --tenant). */
export function keysCommand(deps: LocalDeps, action: string | undefined, arg: string | undefined, tenant: string | undefined): string[] {
  const keys = createSqliteApiKeys(deps.db);
  switch (action) {
    case "create":
      return [keys.create(tenant ?? deps.config.tenant)];
    case "list": {
      const list = keys.list(tenant);
      return list.length ? list.map((k) => `${k.id}  tenant ${k.tenant}  created ${k.createdAt}`) : ["no API keys"];
    }
    case "revoke": {
      if (!arg) throw new UsageError("usage: genq keys revoke KEY-ID (the id `genq keys list` shows)");
      if (!keys.revoke(arg, tenant)) throw new UsageError(`no API key with id ${arg}${tenant ? ` for tenant ${tenant}` : ""}`);
      return [`revoked API key ${arg}: requests with it are refused from now on`];
    }
    default:
      throw new UsageError("usage: genq keys create [--tenant NAME] | genq keys list [--tenant NAME] | genq keys revoke KEY-ID");
  }
}

/** A command used the wrong way: the message says how to use it. */
export class UsageError extends Error {}
