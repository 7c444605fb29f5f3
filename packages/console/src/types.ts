/** The API's shapes the console reads (see /openapi.json). */

export interface ServingSetup {
  name: string;
  weights: { lexical: number; sparse: number; semantic: number };
}

export interface RunSummary {
  id: string;
  state: string;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the corpus list and a corpus's page both show: its name and counts. */
interface CorpusCounts {
  name: string;
  createdAt: string;
  files: number;
  documents: number;
  passages: number;
  rejectedFiles: number;
}

/** A corpus as `GET /v1/corpora` lists it. */
export interface CorpusListItem extends CorpusCounts {
  serving: { runId: string; indexVersion: string; setup?: ServingSetup | null } | null;
  activeRunId: string | null;
  latestRun: RunSummary | null;
  deleting: boolean;
}

/** One corpus as `GET /v1/corpora/{corpus}` shows it (its documents and runs are listed a page at a time). */
export interface CorpusDetail extends CorpusCounts {
  serving: { runId: string; indexVersion: string; modelId: string | null; setup?: ServingSetup | null } | null;
  servedPassages: number;
  untrainedPassages: number;
  untrainedShare: number;
  activeRunId: string | null;
  recentRuns: RunSummary[];
}

export interface DocumentRow {
  path: string;
  status: "chunked" | "rejected";
  reason: string | null;
  size: number;
  documents: number;
  passages: number;
  metadata: Record<string, string | string[]>;
  notes?: string[];
  updatedAt: string;
}

export interface Run {
  id: string;
  corpus: string;
  state: string;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  artifacts: Record<string, string>;
  history: Array<{ at: string; from: string; to: string; event: string }>;
}

export interface Passage {
  id: string;
  documentId: string;
  sourcePath: string;
  title: string;
  text: string;
}

export interface SearchHit extends Passage {
  score: number;
  scores: { lexical?: number; semantic?: number; sparse?: number };
  highlights: string[];
}

export interface QaAnswer {
  text: string;
  score: number;
  start: number;
  end: number;
  passage: Passage;
}

export interface QaResponse {
  noAnswer: boolean;
  answers: QaAnswer[];
  bestGuess: QaAnswer | null;
  metadata: { model: string; latencyMs: number; threshold?: number; questionType?: string };
}

export interface AnswerResponse {
  answer: string;
  sentences: Array<{ text: string; citations: Array<{ passageId: string; start: number; end: number }> }>;
  noAnswer: boolean;
  reason?: string;
  score?: number;
  metadata: { model: string; latencyMs: number };
  passages: Passage[];
}

export interface ApiKeyInfo {
  id: string;
  tenant: string;
  createdAt: string;
  current: boolean;
}

export interface ResultFile {
  file: string;
  set: string;
  kind: "csv" | "trec" | "qrels";
  system?: string;
}
