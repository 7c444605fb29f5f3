import { stem, words } from "@genq/ml";
import { illegalArgument, OpenSearchError, parsing } from "./opensearch-errors.ts";

/** A field's mapping as the stand-in keeps it. */
export interface FieldMapping {
  type: string;
  analyzer?: string;
  dimension?: number;
  method?: { space_type?: string };
}

/** The searchable state of one index: its fields and its refreshed documents. */
export interface IndexView {
  name: string;
  fields: Record<string, FieldMapping>;
  docs: ReadonlyArray<{ id: string; source: Record<string, unknown> }>;
}

type Scores = Map<string, number>;
type Json = Record<string, unknown>;

// Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, which OpenSearch's `english` analyzer uses.
const ENGLISH_STOP = new Set(
  "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with".split(
    " ",
  ),
);

/** The `english` analyzer's effect (lower case, English stop words, Porter stems); others split and lower-case. */
export function analyze(text: string, analyzer: string | undefined): string[] {
  return analyzer === "english"
    ? words(text)
        .filter((w) => !ENGLISH_STOP.has(w))
        .map(stem)
    : words(text);
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const single = (q: Json, name: string): [string, unknown] => {
  const entries = Object.entries(q);
  if (entries.length !== 1)
    throw parsing(
      `[${name}] query doesn't support multiple fields, found [${entries.map(([k]) => k).join("] and [")}]`,
    );
  return entries[0]!;
};

/**
 * Evaluates the query DSL genq and its tests use, over one index: match_all, match_none, term, terms, prefix, ids, match,
 * multi_match (best_fields, most_fields), bool (must, filter, should, must_not) and knn (the k-NN
 * plugin's `{"knn": {field: {vector, k, filter}}}`, exact, scored as the lucene engine scores
 * cosinesimil: (1 + cos) / 2). Text is scored with BM25 (k1 1.2, b 0.75, Lucene's idf). Refusals are
 * the ones OpenSearch gives: an unknown query, knn on a field that is not a knn_vector ("Field 'x' is
 * not knn_vector type.", k-NN KNNQueryBuilder.doToQuery), a query vector of another dimension
 * ("Query vector has invalid dimension: n. Dimension should be: d"), a zero vector against a
 * cosinesimil field ("zero vector is not supported when space type is [cosinesimil]"), a hybrid query below the top level
 * (neural-search HybridQueryUtil: "hybrid query must be a top level query …").
 */
export function createEvaluator(view: IndexView) {
  const stats = new Map<string, { n: number; avg: number; df: Map<string, number>; tokens: Map<string, string[]> }>();
  const fieldStats = (field: string) => {
    let s = stats.get(field);
    if (!s) {
      const tokens = new Map<string, string[]>();
      const df = new Map<string, number>();
      let total = 0;
      for (const d of view.docs) {
        const value = d.source[field];
        if (typeof value !== "string") continue;
        const t = analyze(value, view.fields[field]?.analyzer);
        tokens.set(d.id, t);
        total += t.length;
        for (const term of new Set(t)) df.set(term, (df.get(term) ?? 0) + 1);
      }
      stats.set(field, (s = { n: tokens.size, avg: tokens.size ? total / tokens.size : 0, df, tokens }));
    }
    return s;
  };
  const bm25 = (field: string, query: string): Scores => {
    const s = fieldStats(field);
    const out: Scores = new Map();
    const terms = analyze(query, view.fields[field]?.analyzer);
    for (const [id, tokens] of s.tokens) {
      let score = 0;
      for (const term of terms) {
        const tf = tokens.filter((t) => t === term).length;
        if (!tf) continue;
        const df = s.df.get(term) ?? 0;
        const idf = Math.log(1 + (s.n - df + 0.5) / (df + 0.5));
        score += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * tokens.length) / (s.avg || 1)));
      }
      if (score > 0) out.set(id, score);
    }
    return out;
  };
  const all = (): Scores => new Map(view.docs.map((d) => [d.id, 1]));
  const sourceOf = new Map(view.docs.map((d) => [d.id, d.source]));
  const equals = (field: string, value: unknown): Scores => {
    const out: Scores = new Map();
    for (const d of view.docs) {
      const v = d.source[field];
      const hit =
        view.fields[field]?.type === "text" && typeof v === "string"
          ? analyze(v, view.fields[field]?.analyzer).includes(String(value))
          : asArray(v).some((x) => x === value);
      if (hit) out.set(d.id, 1);
    }
    return out;
  };
  const knn = (spec: Json): Scores => {
    const [field, raw] = single(spec, "knn");
    const { vector, k, filter } = raw as { vector?: unknown; k?: unknown; filter?: Json };
    const mapping = view.fields[field];
    if (mapping?.type !== "knn_vector") throw illegalArgument(`Field '${field}' is not knn_vector type.`);
    if (!Array.isArray(vector) || !vector.every((v) => typeof v === "number")) throw parsing("[knn] requires a vector");
    if (vector.length !== mapping.dimension)
      throw illegalArgument(
        `Query vector has invalid dimension: ${vector.length}. Dimension should be: ${mapping.dimension}`,
      );
    if (typeof k !== "number" || k <= 0 || k > 10_000)
      throw illegalArgument(`[knn] requires k to be in the range (0, 10000]`);
    // k-NN KNNQueryBuilder (opensearch-project/k-NN PR #1501): cosine of a zero vector is undefined.
    if (mapping.method?.space_type === "cosinesimil" && vector.every((v) => v === 0))
      throw new OpenSearchError(
        400,
        "query_shard_exception",
        "failed to create query: zero vector is not supported when space type is [cosinesimil]",
      );
    const allowed = filter ? evaluate(filter) : null;
    const qn = Math.hypot(...vector);
    const scored: Array<[string, number]> = [];
    for (const d of view.docs) {
      const v = d.source[field];
      if (!Array.isArray(v) || (allowed && !allowed.has(d.id))) continue;
      const cos =
        (v as number[]).reduce((s, x, i) => s + x * (vector[i] as number), 0) /
        ((Math.hypot(...(v as number[])) || 1) * (qn || 1));
      scored.push([d.id, (1 + cos) / 2]);
    }
    return new Map(scored.sort((a, b) => b[1] - a[1]).slice(0, k));
  };
  const evaluate = (query: Json): Scores => {
    const [type, spec] = single(query, "query");
    const body = (spec ?? {}) as Json;
    switch (type) {
      case "match_all":
        return all();
      case "term": {
        const [field, value] = single(body, "term");
        return equals(field, value && typeof value === "object" ? (value as Json).value : value);
      }
      case "terms": {
        const [field, values] = single(body, "terms");
        const out: Scores = new Map();
        for (const v of asArray(values)) for (const id of equals(field, v).keys()) out.set(id, 1);
        return out;
      }
      case "match": {
        const [field, value] = single(body, "match");
        return bm25(field, String(value && typeof value === "object" ? (value as Json).query : value));
      }
      case "multi_match": {
        const fields = asArray(body.fields).map((f) => String(f).split("^"));
        const out: Scores = new Map();
        for (const [field, boost] of fields) {
          for (const [id, s] of bm25(field!, String(body.query))) {
            const b = s * Number(boost ?? 1);
            out.set(id, body.type === "most_fields" ? (out.get(id) ?? 0) + b : Math.max(out.get(id) ?? 0, b));
          }
        }
        return out;
      }
      case "bool": {
        const must = asArray(body.must).map((q) => evaluate(q as Json));
        const filter = asArray(body.filter).map((q) => evaluate(q as Json));
        const should = asArray(body.should).map((q) => evaluate(q as Json));
        const mustNot = asArray(body.must_not).map((q) => evaluate(q as Json));
        const required = [...must, ...filter];
        const candidates = required.length
          ? [...required[0]!.keys()]
          : should.length
            ? [...new Set(should.flatMap((s) => [...s.keys()]))]
            : [...all().keys()];
        const out: Scores = new Map();
        for (const id of candidates) {
          if (!required.every((r) => r.has(id)) || mustNot.some((r) => r.has(id))) continue;
          if (!required.length && should.length && !should.some((s) => s.has(id))) continue;
          const score = must.reduce((t, m) => t + m.get(id)!, 0) + should.reduce((t, s) => t + (s.get(id) ?? 0), 0);
          out.set(id, must.length || should.length ? score : 0);
        }
        return out;
      }
      case "prefix": {
        // Term-level prefix query on a keyword (opensearch.org/docs/latest/query-dsl/term/prefix/): `{field: "p"}` or `{field: {value}}`.
        const [field, value] = single(body, "prefix");
        const wanted = String(value && typeof value === "object" ? (value as Json).value : value);
        const out: Scores = new Map();
        for (const d of view.docs)
          if (asArray(d.source[field]).some((x) => typeof x === "string" && x.startsWith(wanted))) out.set(d.id, 1);
        return out;
      }
      case "ids": {
        const values = new Set(asArray(body.values).map(String));
        return new Map(view.docs.filter((d) => values.has(d.id)).map((d) => [d.id, 1]));
      }
      case "match_none":
        return new Map();
      case "knn":
        return knn(body);
      case "hybrid":
        throw illegalArgument("hybrid query must be a top level query and cannot be wrapped into other queries");
      default:
        throw parsing(`unknown query [${type}]`);
    }
  };
  /** The query's text terms per field, for highlighting. */
  const textTerms = (query: Json, out = new Map<string, Set<string>>()): Map<string, Set<string>> => {
    const [type, spec] = Object.entries(query)[0] ?? [];
    const body = (spec ?? {}) as Json;
    const add = (field: string, text: string) => {
      const set = out.get(field) ?? new Set<string>();
      for (const t of analyze(text, view.fields[field]?.analyzer)) set.add(t);
      out.set(field, set);
    };
    if (type === "multi_match") for (const f of asArray(body.fields)) add(String(f).split("^")[0]!, String(body.query));
    if (type === "match") {
      const [field, value] = Object.entries(body)[0] ?? [];
      if (field) add(field, String(value && typeof value === "object" ? (value as Json).query : value));
    }
    if (type === "bool")
      for (const key of ["must", "should"]) for (const q of asArray(body[key])) textTerms(q as Json, out);
    if (type === "hybrid") for (const q of asArray(body.queries)) textTerms(q as Json, out);
    return out;
  };
  return { evaluate, textTerms, source: (id: string) => sourceOf.get(id)! };
}

/** A highlight fragment of `text` around the first term the query matched, terms wrapped in the tags. */
export function highlight(
  text: string,
  terms: Set<string>,
  analyzer: string | undefined,
  o: { size: number; pre: string; post: string },
): string | null {
  let first = -1;
  const marked = text.replace(/[\p{L}\p{N}_]+/gu, (word, offset: number) => {
    const t = analyze(word, analyzer)[0];
    if (!t || !terms.has(t)) return word;
    if (first < 0) first = offset;
    return `${o.pre}${word}${o.post}`;
  });
  if (first < 0) return null;
  const start = Math.max(0, marked.indexOf(o.pre) - Math.floor(o.size / 4));
  return marked.slice(start, start + o.size + o.pre.length + o.post.length).trim();
}
