import { cancelRun, deleteCorpus, NotFoundError } from "@genq/core";
import { createSqliteApiKeys } from "@genq/local";
import type { LocalDeps } from "./local-deps.ts";

/** `genq corpora list`: the corpora with their owner, what serves them and a run in progress. Returns the lines to print. */
export async function listCorporaLines(deps: LocalDeps): Promise<string[]> {
  const corpora = await deps.repo.listCorpora();
  if (!corpora.length) return ["no corpora yet: try `genq ingest <folder> --corpus NAME`"];
  return corpora.map(
    (c) =>
      `${c.name.padEnd(24)} tenant ${c.tenant}  serving ${c.servingRunId ?? "nothing yet"}${c.activeRunId ? `  run ${c.activeRunId}` : ""}${c.deletingSince ? "  (being deleted)" : ""}`,
  );
}

/**
 * `genq corpora delete NAME`: a corpus deleted with everything it owns (refused while a run is in
 * progress: a ConflictError). Returns the line to print; throws domain errors.
 */
export async function deleteCorpusLine(deps: LocalDeps, name: string): Promise<string> {
  const out = await deleteCorpus(deps.documentDeps, { corpus: name });
  return `deleted corpus ${name}: ${out.runs} runs, ${out.objects} stored objects, its index versions and models`;
}

/** `genq keys list [--tenant]`: API keys by id (all tenants' without --tenant); never the keys themselves. */
export function listKeyLines(deps: LocalDeps, tenant: string | undefined): string[] {
  const list = createSqliteApiKeys(deps.db).list(tenant);
  return list.length ? list.map((k) => `${k.id}  tenant ${k.tenant}  created ${k.createdAt}`) : ["no API keys"];
}

/** `genq keys revoke ID [--tenant]`: requests with the key are refused from then on; NotFoundError when there is no such key. */
export function revokeKeyLine(deps: LocalDeps, id: string, tenant: string | undefined): string {
  if (!createSqliteApiKeys(deps.db).revoke(tenant, id))
    throw new NotFoundError(
      `no API key with id ${id}${tenant ? ` for tenant ${tenant}` : ""} (genq keys list shows the ids)`,
    );
  return `revoked API key ${id}: requests with it are refused from now on`;
}

/**
 * `genq cancel RUN`: the run's current stage fails with "cancelled on request" and the run ends failed
 * (delivered here, so it ends even when no server is running); ConflictError for a run that has ended or
 * is promoting, NotFoundError for an unknown run.
 */
export async function cancelRunLine(deps: LocalDeps, runId: string): Promise<string> {
  await cancelRun(deps.engine, runId);
  await deps.outbox.drain(deps.handle);
  const run = await deps.repo.getRun(runId);
  return `run ${runId}: ${run?.state ?? "unknown"}${run?.reason ? ` — ${run.reason}` : ""}`;
}
