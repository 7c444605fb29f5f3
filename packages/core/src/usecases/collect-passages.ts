import { isTerminal, keys } from "../domain.ts";
import type { BlobStore, Logger, PipelineRepository } from "../ports.ts";

/** Whether the corpus has a run in progress (whose stages may still read any passages object). */
async function runInProgress(deps: { repo: PipelineRepository }, corpus: string): Promise<boolean> {
  const c = await deps.repo.getCorpus(corpus);
  const run = c?.activeRunId ? await deps.repo.getRun(c.activeRunId) : null;
  return Boolean(run && !isTerminal(run.state));
}

/**
 * A passages object no document names any more (its document was replaced or deleted). It is deleted
 * at once, unless a run is in progress: a run's stages read the corpus's documents when they start and
 * then their passages objects, so those stay until the run ends (collectPassageGarbage).
 */
export async function releasePassages(
  deps: { repo: PipelineRepository; blobs: BlobStore },
  corpus: string,
  passagesKey: string,
): Promise<void> {
  if (await runInProgress(deps, corpus)) return;
  await deps.blobs.delete(passagesKey);
}

/**
 * After a run ends: delete the passages objects that no document names, written before `before` (the
 * finished run's start), so an object a chunking writes right now — before its record exists — is never
 * taken. Nothing is collected while another run is in progress. Returns how many objects went.
 */
export async function collectPassageGarbage(
  deps: { repo: PipelineRepository; blobs: BlobStore; logger?: Logger },
  corpus: string,
  before: string,
): Promise<number> {
  if (await runInProgress(deps, corpus)) return 0;
  const named = new Set((await deps.repo.listDocuments(corpus)).flatMap((d) => (d.passagesKey ? [d.passagesKey] : [])));
  let deleted = 0;
  for (const blob of await deps.blobs.list(keys.passagesFolder(corpus))) {
    if (named.has(blob.key) || !(Date.parse(blob.modifiedAt) < Date.parse(before))) continue;
    await deps.blobs.delete(blob.key);
    deleted++;
  }
  if (deleted) deps.logger?.info("passages of deleted or replaced documents collected", { corpus, deleted });
  return deleted;
}
