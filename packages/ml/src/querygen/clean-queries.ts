import { runSliced, runToEnd } from "@genq/core";
import { stem, STOPWORDS, words } from "../text/tokenize.ts";

/** A generated query: its text, the passage it was made from and how it was made. */
export interface GeneratedQuery {
  query: string;
  passageId: string;
  kind?: string;
}

/** Why a generated query was dropped. */
export type DropReason = "kind" | "empty" | "too-short" | "boilerplate" | "generic" | "duplicate" | "near-duplicate";

export interface CleanQueryOptions {
  /** Kinds kept; salient-term lists ("terms") are dropped by default: they are bags of the passage's rarest words. */
  kinds: readonly string[] | null;
  /** A query needs at least this many content words (not stop words, not numbers). */
  minContentWords: number;
  /** A query made for passages of more than this many documents names no one place: dropped as generic. */
  maxDocuments: number;
  /** Two queries whose content-word sets overlap this much (Jaccard) are near-duplicates: the later is dropped. */
  nearDuplicate: number;
  /** The document of a passage (passages of one document may share a heading); default: each passage its own. */
  documentOf?: (passageId: string) => string | undefined;
  /**
   * The whole corpus's generated queries, to count how many documents share a query; default: the
   * queries being cleaned. Held-out queries are a slice, so a heading common in the corpus may occur once in it.
   */
  population?: readonly GeneratedQuery[];
}

export const DEFAULT_CLEAN_QUERY_OPTIONS: CleanQueryOptions = {
  kinds: ["heading", "cloze", "question"],
  minContentWords: 2,
  maxDocuments: 2,
  nearDuplicate: 0.8,
};

export interface CleanedQueries<T extends GeneratedQuery> {
  kept: T[];
  dropped: Record<DropReason, number>;
  /** Up to three dropped queries per reason, for a report. */
  examples: Record<DropReason, string[]>;
}

/**
 * Section words that say where text sits rather than what it is about: a query made only of these
 * (with stop words) is boilerplate ("Note", "Tip", "See also", "Examples", "Further reading").
 */
export const BOILERPLATE_WORDS = new Set(
  (
    "note notes tip tips caution warning warnings important attention danger hint hints remark remarks example examples sample " +
    "overview introduction intro description descriptions summary synopsis usage details detail background discussion conclusion " +
    "conclusions reference references see also further reading more information info contents content table index glossary " +
    "preface foreword acknowledgements acknowledgments appendix chapter section part general miscellaneous misc other others " +
    "faq question questions answer answers bugs bug author authors copyright license licence history changes changelog news " +
    "todo prerequisites requirements next steps step getting started start basics basic concepts concept notation conventions " +
    "options option parameters parameter arguments argument return value values files file environment exit status errors error " +
    "diagnostics limitations restrictions compatibility availability credits thanks feedback resources links topics topic related " +
    "abstract purpose scope terminology definitions definition top back home contact help new"
  ).split(" "),
);

const contentWords = (query: string) => words(query).filter((w) => !STOPWORDS.has(w) && !/^\d+$/.test(w));

/**
 * Clean generated held-out queries so that they test retrieval rather than string matching: drop kinds
 * not asked for, queries with no or too few content words, boilerplate headings, queries that the corpus
 * makes for passages of many documents (a heading shared by many sections), exact duplicates (same words
 * in any case and punctuation, same document) and near-duplicates of a query already kept. Exact
 * duplicates from a different document are kept with the first one's text, so that an evaluation that
 * groups queries by text sees one query with both documents relevant. Pure and order-stable: the first
 * of two duplicates wins. Returns the kept queries and how many were dropped for each reason.
 */
export function cleanHeldOutQueries<T extends GeneratedQuery>(
  queries: readonly T[],
  options: Partial<CleanQueryOptions> = {},
): CleanedQueries<T> {
  return runToEnd(cleanHeldOutQuerySteps(queries, options));
}

/** `cleanHeldOutQueries` step by step: yields every few hundred queries, so a caller can run it in time slices. */
export function* cleanHeldOutQuerySteps<T extends GeneratedQuery>(
  queries: readonly T[],
  options: Partial<CleanQueryOptions> = {},
): Generator<void, CleanedQueries<T>> {
  const o = { ...DEFAULT_CLEAN_QUERY_OPTIONS, ...options };
  if (!(o.minContentWords >= 0) || !(o.maxDocuments >= 1) || !(o.nearDuplicate > 0 && o.nearDuplicate <= 1)) {
    throw new RangeError(
      `invalid query-cleaning options: minContentWords ${o.minContentWords} (≥ 0), maxDocuments ${o.maxDocuments} (≥ 1), nearDuplicate ${o.nearDuplicate} (in (0, 1])`,
    );
  }
  const documentOf = (passageId: string) => o.documentOf?.(passageId) ?? passageId;
  const key = (query: string) => words(query).join(" ");
  const documentsOf = new Map<string, Set<string>>();
  let seenQueries = 0;
  for (const q of o.population ?? queries) {
    if (++seenQueries % 256 === 0) yield;
    const k = key(q.query);
    let docs = documentsOf.get(k);
    if (!docs) documentsOf.set(k, (docs = new Set()));
    docs.add(documentOf(q.passageId));
  }

  const reasons: DropReason[] = ["kind", "empty", "too-short", "boilerplate", "generic", "duplicate", "near-duplicate"];
  const dropped = Object.fromEntries(reasons.map((r) => [r, 0])) as Record<DropReason, number>;
  const examples = Object.fromEntries(reasons.map((r) => [r, [] as string[]])) as Record<DropReason, string[]>;
  const drop = (reason: DropReason, query: string) => {
    dropped[reason]++;
    if (examples[reason].length < 3 && !examples[reason].includes(query)) examples[reason].push(query);
  };

  const kept: T[] = [];
  const first = new Map<string, { text: string; documents: Set<string> }>();
  // Kept queries' stemmed content-word sets, and for each stem the kept queries holding it (to find near-duplicates fast).
  const stemSets: Array<Set<string>> = [];
  const byStem = new Map<string, number[]>();
  for (const q of queries) {
    if (++seenQueries % 256 === 0) yield;
    if (o.kinds && !o.kinds.includes(q.kind ?? "")) {
      drop("kind", q.query);
      continue;
    }
    const content = contentWords(q.query);
    if (content.length === 0) {
      drop("empty", q.query);
      continue;
    }
    if (content.every((w) => BOILERPLATE_WORDS.has(w))) {
      drop("boilerplate", q.query);
      continue;
    }
    if (content.length < o.minContentWords) {
      drop("too-short", q.query);
      continue;
    }
    const k = key(q.query);
    if (documentsOf.get(k)!.size > o.maxDocuments) {
      drop("generic", q.query);
      continue;
    }
    const doc = documentOf(q.passageId);
    const seen = first.get(k);
    if (seen) {
      if (seen.documents.has(doc)) drop("duplicate", q.query);
      else {
        seen.documents.add(doc);
        kept.push(q.query === seen.text ? q : { ...q, query: seen.text });
      }
      continue;
    }
    const stems = new Set(content.map(stem));
    if (isNearDuplicate(stems, stemSets, byStem, o.nearDuplicate)) {
      drop("near-duplicate", q.query);
      continue;
    }
    first.set(k, { text: q.query, documents: new Set([doc]) });
    const at = stemSets.push(stems) - 1;
    for (const s of stems) {
      let list = byStem.get(s);
      if (!list) byStem.set(s, (list = []));
      list.push(at);
    }
    kept.push(q);
  }
  return { kept, dropped, examples };
}

function isNearDuplicate(
  stems: Set<string>,
  kept: ReadonlyArray<Set<string>>,
  byStem: Map<string, number[]>,
  threshold: number,
): boolean {
  const shared = new Map<number, number>();
  for (const s of stems) for (const i of byStem.get(s) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
  for (const [i, n] of shared) {
    const union = stems.size + kept[i]!.size - n;
    if (n / union >= threshold) return true;
  }
  return false;
}

/**
 * The cleaning rules as the evaluation stage takes them (core's HeldoutCleaner): the corpus's whole
 * query population and the passages' documents in, the kept queries and the reasons that dropped any out.
 */
export async function heldoutCleaner<T extends GeneratedQuery>(
  pairs: T[],
  context: { population: readonly GeneratedQuery[]; documentOf(passageId: string): string | undefined },
): Promise<{ kept: T[]; dropped: Record<string, number> }> {
  // Sliced: on the local runtime the evaluation shares its process with searches.
  const cleaned = await runSliced(
    cleanHeldOutQuerySteps(pairs, { population: context.population, documentOf: context.documentOf }),
  );
  return { kept: cleaned.kept, dropped: Object.fromEntries(Object.entries(cleaned.dropped).filter(([, n]) => n > 0)) };
}
