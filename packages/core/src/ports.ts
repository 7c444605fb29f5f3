import type {
  Corpus,
  DocumentRecord,
  IndexVersion,
  Metadata,
  ModelVersion,
  Passage,
  Run,
  WorkingState,
} from "./domain.ts";
import type { EventInput, GenqEvent } from "./events.ts";
import type { HybridWeights } from "./search/fusion.ts";

/**
 * Ports: what the use cases need from the outside world. Each has a local adapter (packages/local) and
 * an AWS adapter (packages/aws); both pass the same contract suite in test/contracts.
 */

/** Metadata of a stored object. */
export interface BlobInfo {
  key: string;
  size: number;
  modifiedAt: string;
  /** The object's user metadata (S3 `x-amz-meta-*`), keys in lower case; only `head` reports it. */
  metadata?: Record<string, string>;
}

/**
 * Object storage with S3 semantics: keys are `/`-separated, writes are atomic (a reader sees the old
 * or the new object, never half), `get` of a missing key throws NotFoundError, `delete` of a missing key
 * is a no-op, `list` returns keys under a prefix in lexical order.
 */
export interface BlobStore {
  /** Write an object whole; `metadata` becomes its user metadata (replacing any the key had). */
  put(key: string, body: Uint8Array | string, options?: { metadata?: Record<string, string> }): Promise<void>;
  /** Stream `body` into `key`; the object appears only once the stream has ended. */
  putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  getStream(key: string): Promise<AsyncIterable<Uint8Array>>;
  head(key: string): Promise<BlobInfo | null>;
  list(prefix: string): Promise<BlobInfo[]>;
  delete(key: string): Promise<void>;
  /** Delete every object under a prefix (a folder); returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * A URL through which a client uploads `key` itself with one HTTP request (`method`, carrying exactly
   * `headers`), valid until `expiresAt`; with `contentLength` the store accepts only a body of that
   * size. Stores that cannot hand out such URLs leave this undefined.
   */
  presignPut?(
    key: string,
    options: { expiresInSeconds: number; contentType?: string; contentLength?: number },
  ): Promise<PresignedUpload>;
}

/** A presigned upload: what the client sends, where, and until when. */
export interface PresignedUpload {
  url: string;
  method: "PUT";
  headers: Record<string, string>;
  expiresAt: string;
}

/**
 * Durable pipeline state. Every `put*` is a compare-and-set: `expectedVersion` null means "must not
 * exist yet", a number means "must still be at that version"; the stored record gets version + 1
 * (or 0 on create). A lost race throws ConcurrentUpdateError and writes nothing.
 */
export interface PipelineRepository {
  getCorpus(name: string): Promise<Corpus | null>;
  listCorpora(tenant?: string): Promise<Corpus[]>;
  putCorpus(corpus: Corpus, expectedVersion: number | null): Promise<Corpus>;
  /**
   * Remove everything the repository holds of a corpus: the corpus, its documents, runs, model and index
   * versions. Idempotent (a corpus already gone is a no-op).
   */
  deleteCorpus(name: string): Promise<void>;

  getDocument(corpus: string, path: string): Promise<DocumentRecord | null>;
  listDocuments(corpus: string): Promise<DocumentRecord[]>;
  /**
   * One page of a corpus's documents in path order (only those in `status`, when given); `cursor` is the
   * `next` a previous page returned.
   */
  listDocumentsPage(
    corpus: string,
    page: PageRequest & { status?: DocumentRecord["status"] },
  ): Promise<Page<DocumentRecord>>;
  putDocument(doc: DocumentRecord, expectedVersion: number | null): Promise<DocumentRecord>;
  /** Delete a document record if it is still at `expectedVersion` (ConcurrentUpdateError otherwise, or when it is gone). */
  deleteDocument(corpus: string, path: string, expectedVersion: number): Promise<void>;
  /** Counts over a corpus's document records, kept by the repository without listing them. */
  documentStats(corpus: string): Promise<DocumentStats>;

  getRun(id: string): Promise<Run | null>;
  listRuns(corpus: string): Promise<Run[]>;
  /** One page of a corpus's runs, newest first; `cursor` is the `next` a previous page returned. */
  listRunsPage(corpus: string, page: PageRequest): Promise<Page<Run>>;
  putRun(run: Run, expectedVersion: number | null): Promise<Run>;

  putModelVersion(model: ModelVersion): Promise<void>;
  getModelVersion(id: string): Promise<ModelVersion | null>;
  putIndexVersion(index: IndexVersion): Promise<void>;
  getIndexVersion(id: string): Promise<IndexVersion | null>;
  listIndexVersions(corpus: string): Promise<IndexVersion[]>;
}

/** Counts over a corpus's document records (what `GET /v1/corpora/{corpus}` reports). */
export interface DocumentStats {
  /** Document records (files). */
  files: number;
  chunkedFiles: number;
  rejectedFiles: number;
  /** Documents in chunked files (a BEIR corpus.jsonl holds many). */
  documents: number;
  /** Passages of every file (a rejected new version keeps its previous version's). */
  passages: number;
}

/** The counts one document record contributes. */
export const documentContribution = (d: DocumentRecord | null): DocumentStats => ({
  files: d ? 1 : 0,
  chunkedFiles: d?.status === "chunked" ? 1 : 0,
  rejectedFiles: d?.status === "rejected" ? 1 : 0,
  documents: d?.status === "chunked" ? d.documentCount : 0,
  passages: d?.passageCount ?? 0,
});

/** A page request: at most `limit` items after the position `cursor` names (the start when absent). */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** A page of a list: its items and the cursor of the next page (null on the last page). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/**
 * Publishes events, at least once. Ids given by the caller are kept (so a retried publish of the same
 * fact is recognisably the same event); otherwise one is assigned.
 */
export interface EventPublisher {
  publish(events: ReadonlyArray<EventInput & { id?: string }>): Promise<GenqEvent[]>;
}

/** Handles one event. Throwing MalformedEventError dead-letters it; any other error retries it. */
export type EventHandler = (event: GenqEvent) => Promise<void>;

/** Tiny structured logger: constant messages, data in attributes. */
export interface Logger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A (query, passage) training or evaluation pair. */
export interface QueryPair {
  query: string;
  passageId: string;
  kind?: string;
}

/** Result of a query-generation job: pairs for training and a held-out slice for evaluation. */
export interface GeneratedQueries {
  pairsKey: string;
  heldoutKey: string;
  pairs: number;
  heldout: number;
}

/**
 * Generates synthetic queries for a corpus's passages as a batch job. `start` returns a job id at once;
 * the job ends by calling `completeQueryGeneration` (which announces `queries.generated`) or by failing
 * its stage. Starting the same run again is harmless: the job id is derived from the run, and a job that
 * already finished reports its outcome again.
 */
export interface QueryGenerator {
  start(input: { corpus: string; runId: string; passageKeys: string[] }): Promise<{ jobId: string }>;
}

/**
 * Fine-tunes an embedding model on a run's pairs as an async job. `start` returns a job id at once;
 * completion is announced as `training.job.completed` carrying the model artifact location (or the
 * stage fails). Starting the same run again is harmless; a finished job announces its outcome again.
 */
export interface Trainer {
  start(input: { corpus: string; runId: string; pairsKey: string; passageKeys: string[] }): Promise<{ jobId: string }>;
}

/**
 * Makes a trained model usable for encoding (loads and verifies it locally; creates an endpoint on
 * AWS). `deploy` is idempotent per run: it returns `ready: true` once the model can encode now, or
 * `ready: false` when readiness is announced later as `model.deployed`. `retire` frees what a model
 * that serves nothing any more holds (its endpoint on AWS; its loaded copy and artifact locally).
 */
export interface ModelDeployer {
  deploy(input: {
    corpus: string;
    runId: string;
    modelId: string;
    modelKey: string;
  }): Promise<{ ready: boolean; endpoint: string | null }>;
  retire(modelId: string): Promise<void>;
}

/**
 * Fills a run's index version with its corpus's passages and their vectors. `start` returns at once;
 * the work ends by calling `completeIndexBuild` (which announces `index.built`) or by failing its stage.
 * Starting it again is harmless: the version is (re)built from the passages, never half-served.
 */
export interface PassageIndexer {
  start(input: {
    corpus: string;
    runId: string;
    modelId: string;
    indexVersion: string;
    tenant: string;
    passageKeys: string[];
  }): Promise<void>;
}

/** A stage's piece of long work, named by its run and stage. */
export interface StageJob {
  runId: string;
  corpus: string;
  stage: WorkingState;
}

/**
 * Where a stage's long work runs: locally in the background (a throw or a crashed worker fails the
 * stage; the same job started while it runs is not started twice), on Lambda inline (a throw reaches
 * the caller, which fails the stage or retries). Resolves once the work is started (locally) or done.
 */
export interface StageWork {
  run(job: StageJob, work: () => Promise<void>): Promise<void>;
}

/** Turns texts into unit-length vectors with one model. */
export interface Encoder {
  readonly dimensions: number;
  encode(texts: readonly string[], kind: "query" | "passage"): Promise<Float32Array[]>;
}

export const SEARCH_MODES = ["hybrid", "semantic", "lexical"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface SearchFilter {
  sourcePath?: string;
  /** Passages whose source path starts with this (a folder, e.g. `guides/`). */
  sourcePathPrefix?: string;
  documentId?: string;
  tenant?: string;
  /** Every key must match; a list matches any of its values; a document's list value matches when it holds one of them. */
  metadata?: Metadata;
}

/** A passage to index, with its vector; `trained: false` marks one the version's model was not trained on. */
export interface IndexItem {
  passage: Passage;
  vector: Float32Array;
  trained?: boolean;
}

export interface SearchHit {
  passage: Passage;
  score: number;
  /** Each signal's raw score where the passage was among that signal's candidates. */
  scores: { lexical?: number; semantic?: number; sparse?: number };
  highlights: string[];
}

/**
 * A versioned passage index. Each version is built separately; `promote` atomically makes one the
 * corpus's serving version, and searches without an explicit version read the serving one.
 */
export interface SearchIndex {
  /** Create an empty version for a corpus; `tenant` (the corpus's owner) is what tenant filters match. */
  createVersion(input: { corpus: string; version: string; dimensions: number; tenant: string }): Promise<void>;
  upsert(version: string, items: ReadonlyArray<IndexItem>): Promise<void>;
  /**
   * Replace whole documents: every passage whose source path is listed is removed, then `items` are
   * added (an empty list removes the documents). Searches issued after it returns see the new state.
   */
  replaceDocuments(
    version: string,
    input: { sourcePaths: readonly string[]; items: ReadonlyArray<IndexItem> },
  ): Promise<void>;
  /** The documents a version holds: each source path with the revision of its passages (all, or only `sourcePaths`). */
  documents(version: string, sourcePaths?: readonly string[]): Promise<Array<{ sourcePath: string; revision: string }>>;
  /** How many passages a version holds, and how many of them its model was not trained on. */
  counts(version: string): Promise<{ passages: number; untrained: number }>;
  promote(corpus: string, version: string): Promise<void>;
  servingVersion(corpus: string): Promise<string | null>;
  /** Stop serving the corpus (its serving version can then be dropped). Idempotent. */
  unserve(corpus: string): Promise<void>;
  search(input: {
    corpus: string;
    version?: string;
    query: string;
    vector?: Float32Array;
    k: number;
    mode: SearchMode;
    /** Hybrid mode's fusion weights (the index's defaults when absent); a zero weight leaves a signal out. */
    weights?: HybridWeights;
    filter?: SearchFilter;
  }): Promise<SearchHit[]>;
  dropVersion(version: string): Promise<void>;
  /**
   * Build what searching a version needs ahead of its first search, giving the event loop back as it
   * goes (an index that keeps signals in the serving process; others need not have it). Idempotent.
   */
  prepare?(version: string): Promise<void>;
}

export type {
  AnswerSpan,
  TokenUsage,
  AnswerMetadata,
  ReaderResult,
  Reader,
  Citation,
  GeneratedAnswer,
  Generator,
} from "./answer-ports.ts";

/** An API key as listed: never the key itself, only its id (the first 16 hex digits of its hash), tenant and age. */
export interface ApiKeyInfo {
  id: string;
  tenant: string;
  createdAt: string;
}

/**
 * API keys mapped to tenants, stored as hashes (a key is shown once, when it is made). A revoked key is
 * refused from the next request on, in every process.
 */
export interface ApiKeyStore {
  /** Make a new key for a tenant; the only time the key itself is visible. */
  create(tenant: string): Promise<ApiKeyInfo & { key: string }>;
  /**
   * Accept a key chosen elsewhere (e.g. GENQ_API_KEY) for a tenant; again for the same tenant is a no-op. A key
   * another tenant holds is refused with a ConflictError and stays that tenant's (a key never changes tenant).
   */
  register(key: string, tenant: string): Promise<ApiKeyInfo>;
  tenantOf(key: string): Promise<string | null>;
  /** A tenant's keys, oldest first. */
  list(tenant: string): Promise<ApiKeyInfo[]>;
  /** Revoke one of the tenant's keys by id; false when the tenant has no key with that id. */
  revoke(tenant: string, id: string): Promise<boolean>;
  /** The id of a key (how a caller's own key is recognised in a list). */
  idOf(key: string): string;
}

/** Time source, injectable for tests. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What most use cases and stages share: state, blobs, events, time and logs (each adds the ports it needs beyond these). */
export interface CoreDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
}
