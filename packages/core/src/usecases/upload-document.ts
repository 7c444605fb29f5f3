import { corpusIdMatchesTenant, corpusNameOf, keys } from "../domain.ts";
import {
  DOCUMENT_EXTENSIONS,
  documentPathProblem,
  extensionOf,
  findPathClash,
  isSupportedDocument,
} from "../document-paths.ts";
import {
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedTypeError,
  ValidationError,
} from "../errors.ts";
import { contentHash } from "../hash.ts";
import type { BlobStore, Clock, EventPublisher, PipelineRepository } from "../ports.ts";
import { eventIds } from "../pipeline/names.ts";
import { ensureCorpus } from "./ensure-corpus.ts";
import { normalizeMetadata, toObjectMetadata } from "./metadata.ts";

/**
 * Upload a document through the API: the same path as dropping a file into the bucket — the object is
 * stored under `corpora/<corpus>/docs/<path>` (its metadata as the object's user metadata, as an S3
 * upload with `x-amz-meta-*` headers would carry it) and `document.uploaded` is raised for it. `corpus`
 * is the corpus id (see corpusIdFor). Refused at once, before anything is stored: a path that breaks the
 * path rule (ValidationError), a file type genq does not read (UnsupportedTypeError), empty content
 * (ValidationError), content over `maxBytes` (PayloadTooLargeError), metadata that breaks the metadata
 * rules (ValidationError), and a path that clashes with an existing document or folder of documents
 * (ConflictError naming it) — the same on every runtime.
 */
export async function uploadDocument(
  deps: { repo: PipelineRepository; blobs: BlobStore; events: EventPublisher; clock: Clock },
  input: { tenant: string; corpus: string; path: string; bytes: Uint8Array; maxBytes: number; metadata?: unknown },
): Promise<{ key: string; size: number }> {
  const problem = documentPathProblem(input.path);
  if (problem) throw new ValidationError(`path: ${problem}`);
  // Another tenant's corpus is not found before its documents are looked at: a clash would name them.
  const owner = (await deps.repo.getCorpus(input.corpus))?.tenant;
  if ((owner !== undefined && owner !== input.tenant) || !corpusIdMatchesTenant(input.corpus, input.tenant))
    throw new NotFoundError(`corpus "${corpusNameOf(input.corpus)}" not found`);
  const clash = await findPathClash(deps.blobs, keys.docs(input.corpus), input.path);
  if (clash) {
    const name = corpusNameOf(input.corpus);
    throw new ConflictError(
      clash.kind === "document-above"
        ? `path: "${clash.existing}" is a document in corpus "${name}", so "${input.path}" cannot be put under it`
        : `path: "${input.path}" is a folder of documents in corpus "${name}" (it holds "${clash.existing}"), so it cannot be a document`,
    );
  }
  if (!isSupportedDocument(input.path)) {
    throw new UnsupportedTypeError(
      `path: unsupported file type "${extensionOf(input.path) || "(none)"}"; genq reads ${DOCUMENT_EXTENSIONS.join(" ")}`,
    );
  }
  if (input.bytes.length === 0) throw new ValidationError("content: empty; there is nothing to ingest");
  if (input.bytes.length > input.maxBytes)
    throw new PayloadTooLargeError(`content: ${input.bytes.length} bytes, the limit is ${input.maxBytes}`);
  const metadata = toObjectMetadata(normalizeMetadata(input.metadata, { strict: true }));
  const corpus = await ensureCorpus(deps, { name: input.corpus, tenant: input.tenant });
  const key = keys.doc(corpus.name, input.path);
  await deps.blobs.put(key, input.bytes, Object.keys(metadata).length ? { metadata } : undefined);
  // Each upload is its own event (the object's time tells them apart): the same bytes uploaded again after
  // a deletion are chunked again, while a retried publish of this upload stays one event.
  const stored = await deps.blobs.head(key);
  await deps.events.publish([
    {
      id: eventIds.documentUploaded(key, `${contentHash(input.bytes)}:${stored?.modifiedAt ?? ""}`),
      type: "document.uploaded",
      corpus: corpus.name,
      detail: { key, size: input.bytes.length },
    },
  ]);
  return { key, size: input.bytes.length };
}
