import { keys, parseDocumentKey } from "../domain.ts";
import type { BlobStore, PipelineRepository } from "../ports.ts";

/**
 * How many objects under a corpus's docs folder have not been processed yet: no document record, or a
 * record older than the object. For runtimes whose upload notifications live outside genq (S3 → Lambda),
 * where counting pending deliveries is not possible; a run waits for these before generating queries.
 */
export async function countUnprocessedUploads(
  deps: { blobs: BlobStore; repo: PipelineRepository },
  corpus: string,
): Promise<number> {
  const records = new Map((await deps.repo.listDocuments(corpus)).map((d) => [d.path, d.updatedAt]));
  let pending = 0;
  for (const blob of await deps.blobs.list(keys.docs(corpus))) {
    const target = parseDocumentKey(blob.key);
    if (!target) continue;
    const processedAt = records.get(target.path);
    if (!processedAt || Date.parse(processedAt) < Date.parse(blob.modifiedAt)) pending++;
  }
  return pending;
}
