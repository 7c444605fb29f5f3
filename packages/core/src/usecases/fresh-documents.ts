import { Passage, isTerminal, revisionOf, type DocumentRecord, type Run } from "../domain.ts";
import { ConflictError, CorruptArtifactError, NotFoundError, ValidationError } from "../errors.ts";
import type { BlobStore, Encoder, IndexItem, Logger, PipelineRepository, SearchIndex } from "../ports.ts";
import { passageText, readJsonLines } from "./load-passages.ts";

/** What keeping an index version up to date with the corpus's documents needs. */
export interface FreshIndexDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  index: SearchIndex;
  encoderFor(modelId: string): Promise<Encoder>;
  logger: Logger;
}

/** Documents embedded and written per replaceDocuments call (bounds memory and request size). */
const DOCUMENTS_PER_BATCH = 50;
/** Passages per encode call (an endpoint request). */
const PASSAGES_PER_ENCODE = 64;

/** A document's passages as stored, each stamped with the revision it belongs to; null when the object is gone. */
async function passagesOf(blobs: BlobStore, doc: DocumentRecord): Promise<Passage[] | null> {
  const key = doc.passagesKey!;
  let rows: unknown[];
  try {
    rows = await readJsonLines<unknown>(blobs, key);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
  return rows.map((row) => {
    const parsed = Passage.safeParse(row);
    if (!parsed.success) throw new CorruptArtifactError(`passages of ${doc.path} are damaged (${key})`);
    return { ...parsed.data, revision: revisionOf(key) };
  });
}

/**
 * Make `version` hold exactly the given documents' current passages: a document without passages (deleted,
 * or never chunked) is removed, one whose revision differs is embedded with the version's model and
 * replaces what the version held. `paths` with no record are removed. Returns what changed.
 */
async function applyDocuments(
  deps: FreshIndexDeps,
  input: {
    version: string;
    modelId: string;
    paths: readonly string[];
    records: ReadonlyMap<string, DocumentRecord>;
    held: ReadonlyMap<string, string>;
    trained: boolean;
  },
): Promise<{ added: number; removed: number }> {
  const remove: string[] = [];
  const add: DocumentRecord[] = [];
  for (const path of input.paths) {
    const doc = input.records.get(path);
    if (!doc?.passagesKey) {
      if (input.held.has(path)) remove.push(path);
    } else if (input.held.get(path) !== revisionOf(doc.passagesKey)) add.push(doc);
  }
  if (remove.length) await deps.index.replaceDocuments(input.version, { sourcePaths: remove, items: [] });
  let added = 0;
  const encoder = add.length ? await deps.encoderFor(input.modelId) : null;
  for (let i = 0; i < add.length; i += DOCUMENTS_PER_BATCH) {
    const batch = add.slice(i, i + DOCUMENTS_PER_BATCH);
    const items: IndexItem[] = [];
    const paths: string[] = [];
    for (const doc of batch) {
      const passages = await passagesOf(deps.blobs, doc);
      if (!passages) {
        // The record names an object that is gone: leave the document as the version holds it.
        deps.logger.warn("passages object missing; document left as indexed", { path: doc.path, key: doc.passagesKey });
        continue;
      }
      paths.push(doc.path);
      for (let j = 0; j < passages.length; j += PASSAGES_PER_ENCODE) {
        const part = passages.slice(j, j + PASSAGES_PER_ENCODE);
        const vectors = await encoder!.encode(part.map(passageText), "passage");
        part.forEach((passage, k) => items.push({ passage, vector: vectors[k]!, trained: input.trained }));
      }
    }
    if (paths.length) await deps.index.replaceDocuments(input.version, { sourcePaths: paths, items });
    added += paths.length;
  }
  return { added, removed: remove.length };
}

/**
 * Fresh documents: bring the corpus's serving index up to date with one document — a new or changed one
 * is embedded with the serving model and replaces what the index held (BM25 included), a deleted one is
 * removed — without a training run. Its passages count as untrained until a run trains on them. When
 * the serving version changes meanwhile (a promotion), the new one is brought up to date too.
 * Idempotent; a corpus that serves nothing yet is left alone.
 */
export async function refreshDocument(
  deps: FreshIndexDeps,
  input: { corpus: string; path: string },
): Promise<"indexed" | "removed" | "unchanged" | "not-served"> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const version = await deps.index.servingVersion(input.corpus);
    if (!version) return "not-served";
    const info = await deps.repo.getIndexVersion(version);
    if (!info) return "not-served";
    const doc = await deps.repo.getDocument(input.corpus, input.path);
    const held = new Map((await deps.index.documents(version, [input.path])).map((d) => [d.sourcePath, d.revision]));
    const records = new Map(doc ? [[doc.path, doc]] : []);
    const changed = await applyDocuments(deps, {
      version,
      modelId: info.modelId,
      paths: [input.path],
      records,
      held,
      trained: false,
    });
    if ((await deps.index.servingVersion(input.corpus)) === version)
      return changed.added ? "indexed" : changed.removed ? "removed" : "unchanged";
  }
  throw new ConflictError(
    `the serving index of corpus "${input.corpus}" kept changing while ${input.path} was indexed`,
  );
}

/**
 * Bring a whole index version up to date with the corpus's documents (a run's version before and after
 * it is promoted: documents added, changed or deleted while the run worked). Passages added here are
 * marked untrained. Returns what changed.
 */
export async function syncIndexVersion(
  deps: FreshIndexDeps,
  input: { corpus: string; version: string; modelId: string },
): Promise<{ added: number; removed: number }> {
  const held = new Map((await deps.index.documents(input.version)).map((d) => [d.sourcePath, d.revision]));
  const records = new Map((await deps.repo.listDocuments(input.corpus)).map((d) => [d.path, d]));
  const paths = [...new Set([...held.keys(), ...records.keys()])].sort();
  const changed = await applyDocuments(deps, {
    version: input.version,
    modelId: input.modelId,
    paths,
    records,
    held,
    trained: false,
  });
  if (changed.added || changed.removed)
    deps.logger.info("index version brought up to date with the documents", {
      corpus: input.corpus,
      version: input.version,
      ...changed,
    });
  return changed;
}

/**
 * Which passages a run's model was trained on, for its index build: those of documents chunked before
 * the run began generating queries (query generation reads the corpus when it starts); passages of
 * documents chunked later are indexed as untrained.
 */
export async function trainedBy(repo: PipelineRepository, runId: string): Promise<(passage: Passage) => boolean> {
  const run = await repo.getRun(runId);
  const since = run?.history.find((h) => h.to === "generating")?.at;
  if (!run || !since) return () => true;
  const late = new Set(
    (await repo.listDocuments(run.corpus))
      .filter((d) => d.passagesKey && d.chunkedAt && d.chunkedAt > since)
      .map((d) => revisionOf(d.passagesKey!)),
  );
  return (passage) => !passage.revision || !late.has(passage.revision);
}

/** When a corpus retrains by itself: once untrained passages reach a share of the serving index, or a count. */
export type RetrainPolicy = { kind: "share"; value: number } | { kind: "passages"; value: number };

/** Parse GENQ_RETRAIN_AFTER: `20%` (share of the serving index's passages), `500` (passages), or ``/`off`. */
export function parseRetrainPolicy(text: string): RetrainPolicy | null {
  const t = text.trim().toLowerCase();
  if (!t || t === "off") return null;
  const share = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (share && Number(share[1]) > 0 && Number(share[1]) <= 100) return { kind: "share", value: Number(share[1]) / 100 };
  if (/^\d+$/.test(t) && Number(t) > 0) return { kind: "passages", value: Number(t) };
  throw new ValidationError(
    `"${text}" is not a retraining policy: a share of new passages such as 20%, a number of passages such as 500, or off`,
  );
}

/**
 * The retraining policy at work: when the serving index holds enough passages its model was not trained
 * on, start a run through the run engine (nothing when a run is in progress, the corpus serves nothing
 * yet or is being deleted). After a run that did not come to serve (rejected, failed, cancelled), the
 * policy waits until as much new material has arrived again since that run started — so a corpus whose
 * retraining is rejected does not start another run on every document. Returns the run started, or null.
 */
export async function retrainIfDue(
  deps: {
    repo: PipelineRepository;
    index: SearchIndex;
    logger: Logger;
    startRun(input: { corpus: string; tenant: string }): Promise<Run>;
  },
  input: { corpus: string; policy: RetrainPolicy | null },
): Promise<Run | null> {
  if (!input.policy) return null;
  const corpus = await deps.repo.getCorpus(input.corpus);
  if (!corpus || corpus.deletingSince) return null;
  const active = corpus.activeRunId ? await deps.repo.getRun(corpus.activeRunId) : null;
  if (active && !isTerminal(active.state)) return null;
  const version = await deps.index.servingVersion(corpus.name);
  if (!version) return null;
  const { passages, untrained } = await deps.index.counts(version);
  const due =
    input.policy.kind === "share"
      ? passages > 0 && untrained / passages >= input.policy.value
      : untrained >= input.policy.value;
  if (!due) return null;
  const latest = (await deps.repo.listRunsPage(corpus.name, { limit: 1 })).items[0];
  if (latest && latest.id !== corpus.servingRunId && isTerminal(latest.state) && latest.state !== "ready") {
    const since = latest.createdAt;
    const newer = (await deps.repo.listDocuments(corpus.name))
      .filter((d) => d.status === "chunked" && d.chunkedAt && d.chunkedAt > since)
      .reduce((n, d) => n + d.passageCount, 0);
    const again = input.policy.kind === "share" ? newer >= input.policy.value * passages : newer >= input.policy.value;
    if (!again) return null;
  }
  try {
    const run = await deps.startRun({ corpus: corpus.name, tenant: corpus.tenant });
    deps.logger.info("retraining started by the corpus's policy", {
      corpus: corpus.name,
      runId: run.id,
      untrained,
      passages,
    });
    return run;
  } catch (error) {
    if (error instanceof ConflictError) return null;
    throw error;
  }
}
