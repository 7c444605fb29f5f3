import { isSafeRelativePath, keys } from "../domain.ts";
import { ValidationError } from "../errors.ts";
import { contentHash } from "../hash.ts";
import type { BlobStore, Clock, EventPublisher, PipelineRepository } from "../ports.ts";
import { eventIds } from "../pipeline/names.ts";
import { ensureCorpus } from "./ensure-corpus.ts";
import { normalizeMetadata, toObjectMetadata } from "./metadata.ts";

/**
 * Upload a document through the API: the same path as dropping a file into the bucket — the object is
 * stored under `corpora/<corpus>/docs/<path>` (its metadata as the object's user metadata, as an S3
 * upload with `x-amz-meta-*` headers would carry it) and `document.uploaded` is raised for it.
 */
export async function uploadDocument(
  deps: { repo: PipelineRepository; blobs: BlobStore; events: EventPublisher; clock: Clock },
  input: { tenant: string; corpus: string; path: string; bytes: Uint8Array; maxBytes: number; metadata?: unknown },
): Promise<{ key: string; size: number }> {
  if (!isSafeRelativePath(input.path)) throw new ValidationError("path: must be a relative path inside the corpus (no '..', empty or absolute segments)");
  if (input.bytes.length > input.maxBytes) throw new ValidationError(`content: ${input.bytes.length} bytes, the limit is ${input.maxBytes}`);
  const metadata = toObjectMetadata(normalizeMetadata(input.metadata, { strict: true }));
  const corpus = await ensureCorpus(deps, { name: input.corpus, tenant: input.tenant });
  const key = keys.doc(corpus.name, input.path);
  await deps.blobs.put(key, input.bytes, Object.keys(metadata).length ? { metadata } : undefined);
  // Each upload is its own event (the object's time tells them apart): the same bytes uploaded again after
  // a deletion are chunked again, while a retried publish of this upload stays one event.
  const stored = await deps.blobs.head(key);
  await deps.events.publish([
    { id: eventIds.documentUploaded(key, `${contentHash(input.bytes)}:${stored?.modifiedAt ?? ""}`), type: "document.uploaded", corpus: corpus.name, detail: { key, size: input.bytes.length } },
  ]);
  return { key, size: input.bytes.length };
}
