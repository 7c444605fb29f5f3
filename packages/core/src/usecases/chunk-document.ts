import type { ChunkOptions } from "../chunking/chunker.ts";
import { toPassages, type ParsedDocument } from "../chunking/passages.ts";
import { keys, parseDocumentKey, type DocumentRecord } from "../domain.ts";
import { documentPathProblem } from "../document-paths.ts";
import { DocumentRejectedError, NotFoundError, ValidationError } from "../errors.ts";
import type { EventOf } from "../events.ts";
import { contentHash, shortHash } from "../hash.ts";
import type { BlobStore, Clock, EventPublisher, Logger, PipelineRepository } from "../ports.ts";
import { eventIds } from "../pipeline/names.ts";
import { ensureCorpus } from "./ensure-corpus.ts";
import { fromObjectMetadata } from "./metadata.ts";
import { releasePassages } from "./collect-passages.ts";

/** Parses one uploaded object into documents; throws DocumentRejectedError for what it cannot read. */
export type DocumentParser = (path: string, bytes: Uint8Array) => Promise<ParsedDocument[]>;

export interface ChunkDocumentDeps {
  blobs: BlobStore;
  repo: PipelineRepository;
  events: EventPublisher;
  parse: DocumentParser;
  clock: Clock;
  logger: Logger;
  maxDocumentBytes: number;
  chunking?: Partial<ChunkOptions>;
  /** Tenant that owns corpora created by a plain upload (an S3 drop or a folder ingest). */
  defaultTenant: string;
}

export type ChunkOutcome = "chunked" | "unchanged" | "rejected" | "missing";

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Handle `document.uploaded`: read the object, parse and chunk it, store its passages under
 * `passages/<hash>.jsonl`, record the document and announce `document.chunked` — or record and
 * announce `document.rejected` with a reason. Idempotent: an unchanged object is a no-op; a changed
 * one replaces its passages; a rejected new version keeps the previous passages; an unchanged object
 * whose passages file is missing from the store is chunked again.
 */
export async function chunkDocument(
  deps: ChunkDocumentDeps,
  event: EventOf<"document.uploaded">,
): Promise<ChunkOutcome> {
  const key = event.detail.key;
  const target = parseDocumentKey(key);
  const corpus = target?.corpus ?? event.corpus;
  // An object already gone (deleted since, perhaps with its corpus) creates nothing, not even its corpus.
  const info = target ? await deps.blobs.head(key) : null;
  if (target && !info) {
    deps.logger.info("document vanished before chunking", { key });
    return "missing";
  }
  // A corpus another tenant owns, or a name that is not one, still gets its document recorded below.
  await ensureCorpus(deps, { name: corpus, tenant: deps.defaultTenant }).catch((error: unknown) => {
    if (!(error instanceof NotFoundError || error instanceof ValidationError)) throw error;
  });
  const rawPath = key.startsWith(keys.docs(corpus)) ? key.slice(keys.docs(corpus).length) : key;
  if (!target) {
    const problem = key.startsWith(keys.docs(corpus)) ? documentPathProblem(rawPath) : null;
    return rejectDocument(
      deps,
      corpus,
      rawPath,
      null,
      0,
      `path is not allowed: it ${problem ?? "must stay inside the corpus's docs folder (no '..', empty or absolute segments)"}`,
    );
  }

  const { path } = target;
  if (!info) return "missing";
  const existing = await deps.repo.getDocument(corpus, path);
  if (info.size > deps.maxDocumentBytes) {
    return rejectDocument(
      deps,
      corpus,
      path,
      existing,
      info.size,
      `file is ${mb(info.size)}, over the ${mb(deps.maxDocumentBytes)} limit`,
    );
  }
  const bytes = await deps.blobs.get(key);
  const hash = contentHash(bytes);
  const uploadMetadata = fromObjectMetadata(info.metadata);
  // A revision is the path, the bytes and the upload's metadata: changing any of them makes a new one.
  const revision = shortHash(`${path}\u0000${hash}\u0000${JSON.stringify(Object.entries(uploadMetadata).sort())}`);
  const passagesKey = keys.passages(corpus, revision);
  // Unchanged bytes are not chunked again, unless their passages went missing from the store (repair).
  const intact =
    existing?.status === "chunked"
      ? existing.passagesKey === passagesKey && (await deps.blobs.head(passagesKey)) !== null
      : existing?.status === "rejected";
  if (existing && existing.contentHash === hash && intact) {
    // The same bytes uploaded again: nothing to chunk, but the record notes that this upload was seen
    // (whoever counts unprocessed uploads compares it with the object's time).
    const seen =
      Date.parse(existing.updatedAt) < Date.parse(info.modifiedAt)
        ? await deps.repo.putDocument({ ...existing, updatedAt: deps.clock.now().toISOString() }, existing.version)
        : existing;
    await announce(deps, corpus, seen);
    return existing.status === "chunked" ? "unchanged" : "rejected";
  }

  let passages;
  let documents;
  let notes: string[];
  try {
    documents = await deps.parse(path, bytes);
    notes = [...new Set(documents.flatMap((d) => d.notes ?? []))];
    passages = toPassages({ corpus, sourcePath: path, documents, metadata: uploadMetadata, revision }, deps.chunking);
    if (passages.length === 0) throw new DocumentRejectedError("document has no text to index");
  } catch (error) {
    if (!(error instanceof DocumentRejectedError)) throw error;
    return rejectDocument(deps, corpus, path, existing, bytes.length, error.message, hash);
  }

  await deps.blobs.put(passagesKey, passages.map((p) => JSON.stringify(p)).join("\n") + "\n");
  const now = deps.clock.now().toISOString();
  const record = await deps.repo.putDocument(
    {
      corpus,
      path,
      contentHash: hash,
      status: "chunked",
      reason: null,
      size: bytes.length,
      documentCount: new Set(passages.map((p) => p.documentId)).size,
      passageCount: passages.length,
      passagesKey,
      notes,
      updatedAt: now,
      // A file holding one document carries what that document declares; a BEIR file's lines keep theirs.
      metadata: documents.length === 1 ? { ...documents[0]!.metadata, ...uploadMetadata } : uploadMetadata,
      chunkedAt: now,
      version: 0,
    },
    existing?.version ?? null,
  );
  if (existing?.passagesKey && existing.passagesKey !== passagesKey)
    await releasePassages(deps, corpus, existing.passagesKey);
  await announce(deps, corpus, record);
  deps.logger.info("document chunked", { corpus, path, passages: passages.length });
  return "chunked";
}

/**
 * Record that a document cannot be ingested and announce `document.rejected`. A previous good version's
 * passages stay (nothing stored is lost); repeating the same rejection writes nothing new.
 */
export async function rejectDocument(
  deps: Pick<ChunkDocumentDeps, "repo" | "events" | "clock" | "logger">,
  corpus: string,
  path: string,
  existing: DocumentRecord | null,
  size: number,
  reason: string,
  hash = `rejected:${size}:${reason}`,
): Promise<ChunkOutcome> {
  const kept = existing?.passagesKey
    ? `${reason} (the previous version's ${existing.passageCount} passages are kept)`
    : reason;
  if (!existing || existing.contentHash !== hash) {
    await deps.repo.putDocument(
      {
        corpus,
        path,
        contentHash: hash,
        status: "rejected",
        reason: kept,
        size,
        documentCount: existing?.documentCount ?? 0,
        passageCount: existing?.passageCount ?? 0,
        passagesKey: existing?.passagesKey ?? null,
        notes: existing?.notes,
        updatedAt: deps.clock.now().toISOString(),
        metadata: existing?.metadata ?? {},
        chunkedAt: existing?.chunkedAt ?? null,
        version: 0,
      },
      existing?.version ?? null,
    );
  }
  await deps.events.publish([
    {
      id: eventIds.documentRejected(corpus, path, hash),
      type: "document.rejected",
      corpus,
      detail: { path, reason: kept },
    },
  ]);
  deps.logger.warn("document rejected", { corpus, path, reason: kept });
  return "rejected";
}

async function announce(deps: ChunkDocumentDeps, corpus: string, doc: DocumentRecord): Promise<void> {
  if (doc.status !== "chunked") return;
  await deps.events.publish([
    {
      id: eventIds.documentChunked(corpus, doc.path, doc.contentHash, doc.chunkedAt),
      type: "document.chunked",
      corpus,
      detail: {
        path: doc.path,
        contentHash: doc.contentHash,
        documents: doc.documentCount,
        passages: doc.passageCount,
      },
    },
  ]);
}
