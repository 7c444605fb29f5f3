import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import {
  contentHash,
  deleteDocument,
  documentPathProblem,
  ensureCorpus,
  eventIds,
  keys,
  parseDocumentKey,
  rejectDocument,
  StorageError,
  type DocumentRecord,
  type GenqEvent,
} from "@genq/core";
import { faultOf } from "@genq/local";
import type { LocalDeps } from "./local-deps.ts";
import { createProgress, type ProgressStream } from "./progress.ts";

export interface IngestSummary {
  files: number;
  /** Files raised as new uploads this time (unchanged files already raised are skipped). */
  raised: number;
  documents: number;
  passages: number;
  rejected: number;
  /** Every rejected file of the corpus with the reason. */
  rejectedFiles: Array<{ path: string; reason: string }>;
  /** What users should know about files that were ingested (an encoding decoded, lines skipped). */
  notes: Array<{ path: string; notes: string[] }>;
  /** What this ingest changed, by path (with `sync`, `deleted` lists what left the corpus). */
  changes: { added: string[]; replaced: string[]; deleted: string[]; unchanged: number };
}

/** Files under `root` (recursively, skipping dot-files), as paths relative to root with `/`. */
async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(relative(root, full).split(sep).join("/"));
    }
  };
  await walk(root);
  return out.sort();
}

/**
 * `genq ingest`: copy a folder (or one corpus.jsonl) into `corpora/<corpus>/docs/`, raise
 * `document.uploaded` for each file exactly as an S3 notification would, then let the consumer chunk
 * them. Event ids derive from path, size and mtime, so running again after a crash re-raises nothing
 * that was already raised, and chunking skips unchanged content: every document ends up once. With
 * `sync` the corpus is made to match the folder: documents whose file is gone are deleted too (from the
 * serving index at once). Reports what was added, replaced and deleted.
 */
export async function ingestFolder(
  deps: LocalDeps,
  input: { source: string; corpus: string; quiet?: boolean; sync?: boolean; progress?: ProgressStream },
): Promise<IngestSummary> {
  const corpus = await ensureCorpus(deps, { name: input.corpus, tenant: deps.config.tenant });
  const fingerprint = (d: DocumentRecord | null | undefined) =>
    d ? `${d.status}:${d.contentHash}:${d.passagesKey ?? ""}` : null;
  const before = new Map((await deps.repo.listDocuments(corpus.name)).map((d) => [d.path, fingerprint(d)]));
  const info = await stat(input.source);
  const root = info.isDirectory() ? input.source : join(input.source, "..");
  const realRoot = await realpath(root);
  // genq's own data folder inside the ingested folder holds no documents: ingesting it would copy the bucket into itself.
  const dataDir = await realpath(deps.config.dataDir).catch(() => resolve(deps.config.dataDir));
  const ownData = (path: string) => join(realRoot, path).startsWith(dataDir + sep);
  const files = info.isDirectory()
    ? (await listFiles(root)).filter((path) => !ownData(path))
    : [basename(input.source)];
  const out = input.quiet ? devNull : (input.progress ?? process.stdout);

  let raised = 0;
  const copying = createProgress("copying", files.length, out);
  const reject = async (path: string, reason: string) =>
    rejectDocument(deps.chunkDeps, corpus.name, path, await deps.repo.getDocument(corpus.name, path), 0, reason);
  for (const path of files) {
    // One bad entry (a link to a folder, an unreadable file) is recorded as rejected; only a storage fault stops the batch.
    try {
      const problem = documentPathProblem(path);
      if (problem) {
        await reject(path, `path is not allowed: it ${problem}`);
        continue;
      }
      const full = join(root, path);
      const target = await realpath(full).catch(() => null);
      if (!target || !(target === realRoot || target.startsWith(realRoot + sep))) {
        const linked = (await lstat(full)).isSymbolicLink();
        await reject(
          path,
          linked
            ? "path is not allowed: it is a link that points outside the ingested folder"
            : "file could not be read",
        );
        continue;
      }
      const s = await stat(target);
      if (!s.isFile()) {
        await reject(path, "path is not allowed: it is a link to a folder (genq follows links to files only)");
        continue;
      }
      const key = keys.doc(corpus.name, path);
      let eventId = eventIds.documentUploaded(key, `${s.size}:${Math.trunc(s.mtimeMs)}`);
      // An upload already raised is raised again only when the store lost what it produced (repair), or
      // when other bytes replaced it since (another folder synced, an upload through the API).
      if (
        deps.outbox.has(eventId) &&
        ((await needsRepair(deps, corpus.name, path)) || (await replacedSince(deps, corpus.name, path, target)))
      ) {
        eventId = `${eventId}:repair:${Date.now()}`;
      }
      if (!deps.outbox.has(eventId)) {
        raised++;
        await deps.blobs.putStream(key, createReadStream(target));
        await deps.outbox.publish([
          { id: eventId, type: "document.uploaded", corpus: corpus.name, detail: { key, size: s.size } },
        ]);
      }
    } catch (error) {
      if (error instanceof StorageError || faultOf(error) === "full") throw error;
      await reject(
        path,
        `file could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    } finally {
      copying.tick();
    }
  }
  copying.end();

  const pending = deps.outbox.pendingCount({ corpus: corpus.name, type: "document.uploaded" });
  const chunking = createProgress("chunking", pending, out);
  await drainAll(deps, (e) => e.type === "document.uploaded" && chunking.tick());
  chunking.end();
  const deleted: string[] = [];
  if (input.sync) {
    // Whatever the corpus holds that the folder does not: a document record, or an object not yet chunked.
    const inFolder = new Set(files);
    const stored = new Set([
      ...before.keys(),
      ...(await deps.blobs.list(keys.docs(corpus.name))).flatMap((b) => parseDocumentKey(b.key)?.path ?? []),
    ]);
    for (const path of [...stored].filter((p) => !inFolder.has(p)).sort()) {
      if ((await deleteDocument(deps.documentDeps, { corpus: corpus.name, path })) === "deleted") deleted.push(path);
    }
    await drainAll(deps);
  }
  const docs = await deps.repo.listDocuments(corpus.name);
  const chunked = docs.filter((d) => d.status === "chunked");
  const added: string[] = [];
  const replaced: string[] = [];
  for (const d of docs) {
    if (!before.has(d.path)) added.push(d.path);
    else if (before.get(d.path) !== fingerprint(d)) replaced.push(d.path);
  }
  return {
    files: files.length,
    raised,
    documents: chunked.reduce((n, d) => n + d.documentCount, 0),
    passages: chunked.reduce((n, d) => n + d.passageCount, 0),
    rejected: docs.length - chunked.length,
    rejectedFiles: docs.filter((d) => d.status === "rejected").map((d) => ({ path: d.path, reason: d.reason ?? "" })),
    notes: docs.filter((d) => d.notes?.length).map((d) => ({ path: d.path, notes: d.notes! })),
    changes: {
      added: added.sort(),
      replaced: replaced.sort(),
      deleted,
      unchanged: docs.length - added.length - replaced.length,
    },
  };
}

/** The lines `genq ingest --sync` prints: one per change, then the totals. */
export function formatChanges(corpus: string, s: IngestSummary): string {
  const lines = [
    ...s.changes.added.map((p) => `added     ${p}`),
    ...s.changes.replaced.map((p) => `replaced  ${p}`),
    ...s.changes.deleted.map((p) => `deleted   ${p}`),
  ];
  const c = s.changes;
  lines.push(
    `synced ${corpus}: ${c.added.length} added, ${c.replaced.length} replaced, ${c.deleted.length} deleted, ${c.unchanged} unchanged (${s.documents} documents, ${s.passages} passages, ${s.rejected} rejected)`,
  );
  return lines.join("\n");
}

/**
 * Deliver every due event, waiting out retry back-offs and background jobs (which announce their end
 * with an event), until nothing is pending and no job runs — or, with `jobWaitMs`, until jobs have kept
 * it waiting that long (so a caller can look at a job that may never end).
 */
export async function drainAll(
  deps: LocalDeps,
  onDelivered?: (event: GenqEvent) => void,
  options: { jobWaitMs?: number } = {},
): Promise<void> {
  const since = Date.now();
  for (;;) {
    await deps.outbox.drain(deps.handle, { onDelivered });
    if (deps.jobs.active > 0) {
      if (options.jobWaitMs !== undefined && Date.now() - since >= options.jobWaitMs) return;
      await Promise.race([deps.jobs.idle(), new Promise((r) => setTimeout(r, 200))]);
      continue;
    }
    const wait = deps.outbox.nextDueInMs();
    if (wait === null) return;
    await new Promise((r) => setTimeout(r, Math.min(wait, 5000)));
  }
}

/**
 * Whether a document's record and the store disagree: no record (and no upload of it waiting to be
 * chunked — its corpus was deleted, say), or chunked passages that are gone.
 */
async function needsRepair(deps: LocalDeps, corpus: string, path: string): Promise<boolean> {
  const doc = await deps.repo.getDocument(corpus, path);
  if (!doc) return !deps.outbox.pendingCount({ corpus, type: "document.uploaded", key: keys.doc(corpus, path) });
  return doc.passagesKey !== null && (await deps.blobs.head(doc.passagesKey)) === null;
}

/** Whether the corpus's document at this path holds other bytes than the file (its record names their hash). */
async function replacedSince(deps: LocalDeps, corpus: string, path: string, file: string): Promise<boolean> {
  const doc = await deps.repo.getDocument(corpus, path);
  // A rejection for size records no hash of the bytes: nothing to compare.
  if (!doc || !/^[0-9a-f]{32}$/.test(doc.contentHash)) return false;
  return contentHash(await readFile(file)) !== doc.contentHash;
}

const devNull = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
