import { isSafeRelativePath, keys, revisionOf } from "../domain.ts";
import { ConcurrentUpdateError, ValidationError } from "../errors.ts";
import { eventIds } from "../pipeline/names.ts";
import type { BlobStore, Clock, Encoder, EventPublisher, Logger, PipelineRepository, SearchIndex } from "../ports.ts";
import { releasePassages } from "./collect-passages.ts";
import { refreshDocument } from "./fresh-documents.ts";
import { corpusForTenant } from "./search-corpus.ts";

export interface DeleteDocumentDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  index: SearchIndex;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  encoderFor(modelId: string): Promise<Encoder>;
}

/**
 * Delete a document: its uploaded object and its record go, and its passages leave the serving index
 * before this returns (a search never returns them afterwards); `document.deleted` is announced. Later runs
 * never see it (their stages read the corpus's documents when they start); a run in progress keeps the
 * passages it may still read until it ends. Idempotent: deleting what does not exist deletes nothing
 * and answers "missing" (the API's 404, a no-op for a storage event). With `tenant`, the corpus must be
 * that tenant's.
 */
export async function deleteDocument(
  deps: DeleteDocumentDeps,
  input: { corpus: string; path: string; tenant?: string },
): Promise<"deleted" | "missing"> {
  if (!isSafeRelativePath(input.path))
    throw new ValidationError("path: must be a relative path inside the corpus (no '..', empty or absolute segments)");
  const corpus =
    input.tenant === undefined
      ? await deps.repo.getCorpus(input.corpus)
      : await corpusForTenant(deps.repo, input.tenant, input.corpus);
  if (!corpus) return "missing";
  const key = keys.doc(corpus.name, input.path);
  const before = await deps.repo.getDocument(corpus.name, input.path);
  const object = await deps.blobs.head(key);
  if (!before && !object) {
    // Nothing stored: still make sure no index holds it (a previous attempt may have stopped half-way).
    await refreshDocument(deps, { corpus: corpus.name, path: input.path });
    return "missing";
  }
  await deps.blobs.delete(key);
  let deleted = before;
  for (let attempt = 0; deleted; attempt++) {
    try {
      await deps.repo.deleteDocument(corpus.name, input.path, deleted.version);
      break;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= 4) throw error;
      deleted = await deps.repo.getDocument(corpus.name, input.path);
    }
  }
  // The record is gone, so bringing the index up to date with this path removes its passages.
  await refreshDocument(deps, { corpus: corpus.name, path: input.path });
  if (deleted?.passagesKey) await releasePassages(deps, corpus.name, deleted.passagesKey);
  // The record's time tells this deletion from an earlier one of the same bytes (deleted, uploaded again, deleted).
  const revision = deleted
    ? `${deleted.passagesKey ? revisionOf(deleted.passagesKey) : deleted.contentHash}:${deleted.updatedAt}`
    : (object?.modifiedAt ?? "");
  await deps.events.publish([
    {
      id: eventIds.documentDeleted(corpus.name, input.path, revision),
      type: "document.deleted",
      corpus: corpus.name,
      detail: { path: input.path },
    },
  ]);
  deps.logger.info("document deleted", { corpus: corpus.name, path: input.path });
  return "deleted";
}
