import type { LocalDeps } from "./local-deps.ts";

/** A summary of one corpus: what users see in `genq status`. */
export async function corpusStatus(deps: LocalDeps, name: string) {
  const corpus = await deps.repo.getCorpus(name);
  if (!corpus) return null;
  const docs = await deps.repo.listDocuments(name);
  const chunked = docs.filter((d) => d.status === "chunked");
  const runs = await deps.repo.listRuns(name);
  const serving = await deps.index.servingVersion(name);
  // How much of what the corpus serves its model was not trained on (fresh documents since its run).
  const counts = serving ? await deps.index.counts(serving) : null;
  return {
    corpus: corpus.name,
    tenant: corpus.tenant,
    files: docs.length,
    chunkedFiles: chunked.length,
    documents: chunked.reduce((n, d) => n + d.documentCount, 0),
    passages: docs.reduce((n, d) => n + d.passageCount, 0),
    rejected: docs.filter((d) => d.status === "rejected").map((d) => ({ path: d.path, reason: d.reason ?? "" })),
    runs: runs.map((r) => ({ id: r.id, state: r.state, reason: r.reason, createdAt: r.createdAt })),
    servingRun: corpus.servingRunId,
    servingPassages: counts?.passages ?? 0,
    untrainedPassages: counts?.untrained ?? 0,
    pendingEvents: deps.outbox.pendingCount({ corpus: name }),
    deadLetters: deps.outbox.deadLetters(name).map((d) => ({ id: d.id, type: d.type, reason: d.reason })),
  };
}

export type CorpusStatus = NonNullable<Awaited<ReturnType<typeof corpusStatus>>>;

/** Human-readable rendering of corpusStatus. */
export function formatStatus(s: CorpusStatus): string {
  const lines = [
    `corpus ${s.corpus} (tenant ${s.tenant})`,
    `  files      ${s.chunkedFiles} chunked, ${s.rejected.length} rejected`,
    `  documents  ${s.documents}`,
    `  passages   ${s.passages}`,
  ];
  if (s.rejected.length) {
    lines.push("  rejected files:");
    for (const r of s.rejected) lines.push(`    ${r.path}: ${r.reason}`);
  }
  lines.push(`  runs       ${s.runs.length ? "" : "none yet"}`);
  for (const r of s.runs) lines.push(`    ${r.id}  ${r.state}${r.reason ? `  (${r.reason})` : ""}`);
  lines.push(`  serving    ${s.servingRun ?? "nothing yet"}`);
  if (s.servingRun) {
    const share = s.servingPassages ? Math.round((100 * s.untrainedPassages) / s.servingPassages) : 0;
    lines.push(`  untrained  ${s.untrainedPassages} of ${s.servingPassages} served passages (${share}%) are from documents added or changed since its run`);
  }
  lines.push(`  events     ${s.pendingEvents} pending, ${s.deadLetters.length} dead-lettered`);
  for (const d of s.deadLetters) lines.push(`    ${d.type} ${d.id}: ${d.reason}`);
  return lines.join("\n");
}
