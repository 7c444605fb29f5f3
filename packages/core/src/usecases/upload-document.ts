import { corpusNameOf, keys } from "../domain.ts";
import { DOCUMENT_EXTENSIONS, documentPathProblem, extensionOf, findPathClash, isSupportedDocument } from "../document-paths.ts";
import { ConflictError, PayloadTooLargeError, UnsupportedTypeError, ValidationError } from "../errors.ts";
import { contentHash } from "../hash.ts";
import type { BlobStore, Clock, EventPublisher, PipelineRepository } from "../ports.ts";
import { eventIds } from "../pipeline/names.ts";
import { ensureCorpus } from "./ensure-corpus.ts";

/**
 * Upload a document through the API: the same path as dropping a file into the bucket — the object is
 * stored under `corpora/<corpus>/docs/<path>` and `document.uploaded` is raised for it. `corpus` is the
 * corpus id (see corpusIdFor). Refused at once, before anything is stored: a path that breaks the path
 * rule (ValidationError), a file type genq does not read (UnsupportedTypeError), empty content
 * (ValidationError), content over `maxBytes` (PayloadTooLargeError), and a path that clashes with an
 * existing document or folder of documents (ConflictError naming it) — the same on every runtime.
 */
export async function uploadDocument(
  deps: { repo: PipelineRepository; blobs: BlobStore; events: EventPublisher; clock: Clock },
  input: { tenant: string; corpus: string; path: string; bytes: Uint8Array; maxBytes: number },
): Promise<{ key: string; size: number }> {
  const problem = documentPathProblem(input.path);
  if (problem) throw new ValidationError(`path: ${problem}`);
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
    throw new UnsupportedTypeError(`path: unsupported file type "${extensionOf(input.path) || "(none)"}"; genq reads ${DOCUMENT_EXTENSIONS.join(" ")}`);
  }
  if (input.bytes.length === 0) throw new ValidationError("content: empty; there is nothing to ingest");
  if (input.bytes.length > input.maxBytes) throw new PayloadTooLargeError(`content: ${input.bytes.length} bytes, the limit is ${input.maxBytes}`);
  const corpus = await ensureCorpus(deps, { name: input.corpus, tenant: input.tenant });
  const key = keys.doc(corpus.name, input.path);
  await deps.blobs.put(key, input.bytes);
  await deps.events.publish([
    { id: eventIds.documentUploaded(key, contentHash(input.bytes)), type: "document.uploaded", corpus: corpus.name, detail: { key, size: input.bytes.length } },
  ]);
  return { key, size: input.bytes.length };
}
