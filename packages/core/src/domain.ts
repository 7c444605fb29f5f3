import { z } from "zod";
import { contentHash } from "./hash.ts";
import { documentPathProblem } from "./document-paths.ts";

/** Names users choose for corpora: safe as a path segment and as an S3 / OpenSearch name part. */
export const CorpusName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "corpus names are 1-63 characters: lower-case letters, digits and '-'");
export type CorpusName = z.infer<typeof CorpusName>;

/**
 * The id a corpus is stored under (records, events, bucket keys, index names): the bare name for the
 * runtime's default tenant, `<name>.<12 hex>` for any other tenant. Names never contain '.', so the two
 * never collide, and every tenant can use any name.
 */
export const CorpusId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}(\.[0-9a-f]{12})?$/,
    "corpus ids are a corpus name, optionally followed by '.' and a 12-digit tenant qualifier",
  );
export type CorpusId = z.infer<typeof CorpusId>;

/** The qualifier of a tenant's corpus ids: 12 hex digits derived from the tenant (stable on every runtime). */
export const tenantQualifier = (tenant: string): string => contentHash(`tenant\u0000${tenant}`).slice(0, 12);

/**
 * The id of `tenant`'s corpus called `name`: the name itself for the runtime's default tenant (so what
 * it already stored, and S3 drops under `corpora/<name>/docs/`, keep working), `<name>.<qualifier>` for
 * every other tenant. The one place that decides where a tenant's corpus lives.
 */
export function corpusIdFor(tenant: string, name: string, defaultTenant: string): CorpusId {
  return tenant === defaultTenant ? name : `${name}.${tenantQualifier(tenant)}`;
}

/** The name a corpus's owner calls it by (the id without its tenant qualifier). */
export const corpusNameOf = (id: string): string => id.split(".")[0]!;

/** Whether an id may belong to `tenant` (a qualified id carries its tenant's qualifier). */
export function corpusIdMatchesTenant(id: string, tenant: string): boolean {
  const dot = id.indexOf(".");
  return dot < 0 || id.slice(dot + 1) === tenantQualifier(tenant);
}

export const RunState = z.enum([
  "ingesting",
  "generating",
  "training",
  "deploying",
  "indexing",
  "evaluating",
  "promoting",
  "ready",
  "failed",
  "rejected",
]);
export type RunState = z.infer<typeof RunState>;
/** States a run never leaves. */
export const TERMINAL_STATES = ["ready", "failed", "rejected"] as const satisfies readonly RunState[];
export type TerminalState = (typeof TERMINAL_STATES)[number];
/** States in which a stage is at work (each has a command and a deadline). */
export type WorkingState = Exclude<RunState, TerminalState>;
export const WORKING_STATES = RunState.options.filter(
  (s): s is WorkingState => !(TERMINAL_STATES as readonly string[]).includes(s),
);
export const isTerminal = (state: RunState): state is TerminalState =>
  (TERMINAL_STATES as readonly string[]).includes(state);

/** How a corpus serves searches: one of the setups the quality gate chooses from, with its fusion weights. */
export const SERVING_SETUPS = ["lexical", "semantic", "hybrid-untuned", "hybrid"] as const;
export const ServingSetup = z.object({
  name: z.enum(SERVING_SETUPS),
  /** Fusion weights of BM25, the untrained TF-IDF signal and the tuned model (one of them 1 for a single signal). */
  weights: z.object({ lexical: z.number().min(0), sparse: z.number().min(0), semantic: z.number().min(0) }),
});
export type ServingSetup = z.infer<typeof ServingSetup>;

/** A corpus: a named collection of documents owned by one tenant, and what it serves now. */
export const Corpus = z.object({
  /** The corpus id (see CorpusId); its owner's name for it is `corpusNameOf(name)`. */
  name: CorpusId,
  tenant: z.string().min(1),
  createdAt: z.string(),
  servingRunId: z.string().nullable(),
  servingIndexVersion: z.string().nullable(),
  /** How the serving index answers searches (chosen by the run that promoted it); null: hybrid, default weights. */
  servingSetup: ServingSetup.nullable().default(null),
  /** The run in progress, if any: set when a run starts (compare-and-set), cleared when it ends. */
  activeRunId: z.string().nullable().default(null),
  /** When activeRunId was claimed (a claim whose run is not written yet is a start under way for a while). */
  activeRunSince: z.string().nullable().optional(),
  /** Set when the corpus's deletion began: no run starts and no upload is accepted from then on. */
  deletingSince: z.string().nullable().optional(),
  version: z.number().int().nonnegative(),
});
export type Corpus = z.infer<typeof Corpus>;

/**
 * Key/value metadata of a document (front matter, HTML <meta>, BEIR `metadata`, S3 user metadata, an
 * upload field): lower-case keys, string values or lists of strings. Searches filter on it.
 */
export const MetadataValue = z.union([z.string(), z.array(z.string())]);
export const Metadata = z.record(z.string(), MetadataValue);
export type Metadata = z.infer<typeof Metadata>;

/** One uploaded object under corpora/<corpus>/docs/: chunked into passages, or rejected with a reason. */
export const DocumentRecord = z.object({
  corpus: CorpusId,
  path: z.string().min(1),
  contentHash: z.string(),
  status: z.enum(["chunked", "rejected"]),
  reason: z.string().nullable(),
  size: z.number().int().nonnegative(),
  documentCount: z.number().int().nonnegative(),
  passageCount: z.number().int().nonnegative(),
  passagesKey: z.string().nullable(),
  /** What users should know about a document that was ingested: the encoding it was decoded from, lines skipped. */
  notes: z.array(z.string()).optional(),
  updatedAt: z.string(),
  /** The file's own metadata (what its upload carried and its header declared). */
  metadata: Metadata.optional(),
  /** When the passages `passagesKey` names were written (a run trained on them if it read the corpus later). */
  chunkedAt: z.string().nullable().optional(),
  version: z.number().int().nonnegative(),
});
export type DocumentRecord = z.infer<typeof DocumentRecord>;

/** A retrievable unit of text. `documentId` is the path for files, the BEIR id for corpus.jsonl lines. */
export const Passage = z.object({
  id: z.string(),
  corpus: CorpusId,
  documentId: z.string(),
  sourcePath: z.string(),
  title: z.string(),
  text: z.string(),
  ordinal: z.number().int().nonnegative(),
  metadata: Metadata.optional(),
  /** The document revision the passage comes from (its passages object's name): what an index holds of a document. */
  revision: z.string().optional(),
});
export type Passage = z.infer<typeof Passage>;

/** A model produced by a run (or the untrained base model): where it lives and what it is. */
export const ModelVersion = z.object({
  id: z.string(),
  corpus: CorpusId,
  runId: z.string(),
  kind: z.enum(["base", "tuned"]),
  artifactKey: z.string(),
  endpoint: z.string().nullable(),
  createdAt: z.string(),
});
export type ModelVersion = z.infer<typeof ModelVersion>;

/** A built search index; a corpus serves at most one at a time (Corpus.servingIndexVersion). */
export const IndexVersion = z.object({
  id: z.string(),
  corpus: CorpusId,
  runId: z.string(),
  modelId: z.string(),
  passageCount: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type IndexVersion = z.infer<typeof IndexVersion>;

/** Where a run's artifacts live once produced. */
export const RunArtifacts = z.object({
  pairsKey: z.string().optional(),
  heldoutKey: z.string().optional(),
  trainingJobId: z.string().optional(),
  modelKey: z.string().optional(),
  modelId: z.string().optional(),
  indexVersion: z.string().optional(),
  reportKey: z.string().optional(),
  /** The serving setup the run's evaluation chose (applied when its index is promoted). */
  servingSetup: ServingSetup.optional(),
});
export type RunArtifacts = z.infer<typeof RunArtifacts>;

/** One step of a run's history; `eventId` recognises a redelivery of the event that made the step. */
export const RunTransitionRecord = z.object({
  at: z.string(),
  from: RunState,
  to: RunState,
  event: z.string(),
  eventId: z.string().optional(),
});
export type RunTransitionRecord = z.infer<typeof RunTransitionRecord>;

/** One pass of the pipeline over a corpus. `version` is the compare-and-set counter. */
export const Run = z.object({
  id: z.string(),
  corpus: CorpusId,
  tenant: z.string(),
  state: RunState,
  reason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  artifacts: RunArtifacts,
  history: z.array(RunTransitionRecord),
  /** Whether the run's outcome (`run.succeeded` / `run.failed` / `run.rejected`) has been announced. */
  outcomePublished: z.boolean().default(false),
  version: z.number().int().nonnegative(),
});
export type Run = z.infer<typeof Run>;

/** When the run entered its current state (the start of its stage's deadline). */
export const stageStartedAt = (run: Pick<Run, "history" | "createdAt">): string =>
  run.history.at(-1)?.at ?? run.createdAt;

/** What an uploaded object names: corpus and document path, derived from its bucket key. */
export interface DocumentKey {
  corpus: CorpusId;
  path: string;
}

const DOC_KEY = /^corpora\/([^/]+)\/docs\/(.+)$/;

/**
 * Parse a bucket key `corpora/<corpus>/docs/<path>`. Returns null for keys outside a docs folder; throws
 * nothing, so callers decide how to report. Paths with `..` segments, empty segments or backslashes
 * are refused (null) so no key can escape its corpus folder.
 */
export function parseDocumentKey(key: string): DocumentKey | null {
  const match = DOC_KEY.exec(key);
  if (!match) return null;
  const corpus = CorpusId.safeParse(match[1]);
  const path = match[2]!;
  if (!corpus.success || documentPathProblem(path) !== null) return null;
  return { corpus: corpus.data, path };
}

export function isSafeRelativePath(path: string): boolean {
  if (path.includes("\\") || path.includes("\0") || path.startsWith("/")) return false;
  return path.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}

export const keys = {
  docs: (corpus: string) => `corpora/${corpus}/docs/`,
  doc: (corpus: string, path: string) => `corpora/${corpus}/docs/${path}`,
  passages: (corpus: string, hash: string) => `corpora/${corpus}/passages/${hash}.jsonl`,
  passagesFolder: (corpus: string) => `corpora/${corpus}/passages/`,
  corpus: (corpus: string) => `corpora/${corpus}/`,
  run: (corpus: string, run: string) => `corpora/${corpus}/runs/${run}/`,
  pairs: (corpus: string, run: string, part = "part-0000") => `corpora/${corpus}/runs/${run}/pairs/${part}.jsonl`,
  heldout: (corpus: string, run: string) => `corpora/${corpus}/runs/${run}/heldout.jsonl`,
  /** Written last by query generation: its presence marks the pairs and held-out queries complete. */
  queriesSummary: (corpus: string, run: string) => `corpora/${corpus}/runs/${run}/queries.json`,
  model: (corpus: string, run: string) => `corpora/${corpus}/runs/${run}/model/`,
  report: (corpus: string, run: string, ext: "json" | "html") => `corpora/${corpus}/runs/${run}/report.${ext}`,
  /** A per-query result file (CSV, TREC run, qrels) written beside the report. */
  result: (corpus: string, run: string, file: string) => `corpora/${corpus}/runs/${run}/results/${file}`,
  judgments: (corpus: string) => `corpora/${corpus}/judgments/`,
};

/** The revision a passages object holds: its name without folder and extension. */
export const revisionOf = (passagesKey: string): string =>
  passagesKey.slice(passagesKey.lastIndexOf("/") + 1).replace(/\.jsonl$/, "");
