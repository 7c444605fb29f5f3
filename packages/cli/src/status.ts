import { corpusNameOf, describeControl } from "@genq/core";
import type { LocalDeps } from "./local-deps.ts";

/** A summary of one corpus: what users see in `genq status`. */
export async function corpusStatus(deps: Pick<LocalDeps, "repo" | "blobs" | "outbox" | "index">, name: string) {
  const corpus = await deps.repo.getCorpus(name);
  if (!corpus) return null;
  const docs = await deps.repo.listDocuments(name);
  const chunked = docs.filter((d) => d.status === "chunked");
  const runs = await deps.repo.listRuns(name);
  // The record says what was chunked; the store must still hold it (a deleted passages file is repaired by re-ingesting).
  const missing: string[] = [];
  for (const d of docs) if (d.passagesKey && !(await deps.blobs.head(d.passagesKey))) missing.push(d.path);
  const intact = docs.filter((d) => !missing.includes(d.path));
  const serving = await deps.index.servingVersion(name);
  // How much of what the corpus serves its model was not trained on (fresh documents since its run).
  const counts = serving ? await deps.index.counts(serving) : null;
  return {
    corpus: corpusNameOf(corpus.name),
    tenant: corpus.tenant,
    files: docs.length,
    chunkedFiles: chunked.length,
    documents: chunked.filter((d) => !missing.includes(d.path)).reduce((n, d) => n + d.documentCount, 0),
    passages: intact.reduce((n, d) => n + d.passageCount, 0),
    /** Documents whose passages file is gone from the store: `genq ingest` of their folder rebuilds it. */
    missingPassages: missing,
    rejected: docs.filter((d) => d.status === "rejected").map((d) => ({ path: d.path, reason: d.reason ?? "" })),
    notes: docs.filter((d) => d.notes?.length).map((d) => ({ path: d.path, notes: d.notes! })),
    runs: runs.map((r) => ({ id: r.id, state: r.state, reason: r.reason, createdAt: r.createdAt })),
    servingRun: corpus.servingRunId,
    servingPassages: counts?.passages ?? 0,
    untrainedPassages: counts?.untrained ?? 0,
    pendingEvents: deps.outbox.pendingCount({ corpus: name }),
    deadLetters: deps.outbox.deadLetters(name).map((d) => ({ id: d.id, type: d.type, reason: d.reason })),
  };
}

export type CorpusStatus = NonNullable<Awaited<ReturnType<typeof corpusStatus>>>;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text safe to print on one terminal line: control characters (a newline in a file name) shown escaped. */
export const printable = (text: string): string => text.replace(CONTROL, describeControl);

/** Human-readable rendering of corpusStatus (file names and reasons with control characters escaped). */
export function formatStatus(s: CorpusStatus): string {
  const lines = [
    `corpus ${printable(s.corpus)} (tenant ${printable(s.tenant)})`,
    `  files      ${s.chunkedFiles} chunked, ${s.rejected.length} rejected`,
    `  documents  ${s.documents}`,
    `  passages   ${s.passages}`,
  ];
  if (s.missingPassages.length) {
    lines.push(
      `  missing    the passages of ${s.missingPassages.length} document(s) are gone from the store; ingest their folder again to rebuild them:`,
    );
    for (const p of s.missingPassages) lines.push(`    ${printable(p)}`);
  }
  if (s.rejected.length) {
    lines.push("  rejected files:");
    for (const r of s.rejected) lines.push(`    ${printable(r.path)}: ${printable(r.reason)}`);
  }
  if (s.notes.length) {
    lines.push("  notes:");
    for (const n of s.notes) lines.push(`    ${printable(n.path)}: ${printable(n.notes.join("; "))}`);
  }
  lines.push(`  runs       ${s.runs.length ? "" : "none yet"}`);
  for (const r of s.runs) lines.push(`    ${r.id}  ${r.state}${r.reason ? `  (${printable(r.reason)})` : ""}`);
  lines.push(`  serving    ${s.servingRun ?? "nothing yet"}`);
  if (s.servingRun) {
    const share = s.servingPassages ? Math.round((100 * s.untrainedPassages) / s.servingPassages) : 0;
    lines.push(
      `  untrained  ${s.untrainedPassages} of ${s.servingPassages} served passages (${share}%) are from documents added or changed since its run`,
    );
  }
  lines.push(`  events     ${s.pendingEvents} pending, ${s.deadLetters.length} dead-lettered`);
  for (const d of s.deadLetters) lines.push(`    ${d.type} ${printable(d.id)}: ${printable(d.reason)}`);
  return lines.join("\n");
}
