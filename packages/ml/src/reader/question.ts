import { STOPWORDS, stem, words } from "../text/tokenize.ts";

/** What kind of answer a question asks for; it decides which spans of a sentence can answer it. */
export const ANSWER_KINDS = [
  "person",
  "time",
  "number",
  "code",
  "definition",
  "reason",
  "method",
  "place",
  "condition",
  "entity",
] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

export interface QuestionAnalysis {
  kind: AnswerKind;
  /** Stems of the words naming what is asked for ("which *index type*…", "what is the *default port*…"). */
  focus: string[];
  /** Stems of the question's content words, each once, focus included. */
  terms: string[];
}

/** Nouns that ask for something one types: a command, a function, an option… */
const CODE_NOUNS = new Set(
  [
    "command",
    "statement",
    "clause",
    "option",
    "parameter",
    "setting",
    "variable",
    "keyword",
    "operator",
    "program",
    "utility",
    "tool",
    "module",
    "extension",
    "function",
    "switch",
    "flag",
    "prefix",
    "marker",
    "modifier",
    "query",
    "code",
    "sqlstate",
    "aggregate",
    "catalog",
    "column",
    "attribute",
    "shorthand",
    "syntax",
    "file",
    "key",
    "word",
  ].map(stem),
);
/** Nouns that ask for an amount. */
const NUMBER_NOUNS = new Set(
  [
    "range",
    "maximum",
    "minimum",
    "limit",
    "size",
    "length",
    "number",
    "resolution",
    "precision",
    "count",
    "amount",
    "percentage",
    "total",
    "storage",
  ].map(stem),
);
const TIME_NOUNS = new Set(["version", "year", "date", "release", "time", "standard"].map(stem));
const PLACE_NOUNS = new Set(
  ["file", "directory", "folder", "chapter", "section", "part", "location", "path", "place", "table"].map(stem),
);
const AUXILIARIES = new Set([
  "is",
  "are",
  "was",
  "were",
  "do",
  "does",
  "did",
  "can",
  "could",
  "should",
  "must",
  "will",
  "would",
  "has",
  "have",
  "had",
  "may",
  "might",
  "be",
]);

/** Content words after `from`, up to the first auxiliary verb, preposition or stop word (at most four). */
function phraseAfter(tokens: readonly string[], from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < tokens.length && out.length < 4; i++) {
    const t = tokens[i]!;
    if (AUXILIARIES.has(t) || (STOPWORDS.has(t) && out.length)) break;
    if (!STOPWORDS.has(t)) out.push(stem(t));
  }
  return out;
}

/**
 * Classify a question by the answer it wants (who → a person or role, when → a version or a condition,
 * how many → an amount, which command/function/option → something typed, why → a reason, how do I →
 * a method, what is X → a definition, anything else → an entity) and name its focus words.
 */
export function analyzeQuestion(question: string): QuestionAnalysis {
  const tokens = words(question);
  const terms = [...new Set(tokens.filter((w) => !STOPWORDS.has(w)).map(stem))];
  const at = (i: number) => tokens[i] ?? "";
  const first = at(0);
  let kind: AnswerKind = "entity";
  let focus: string[] = [];

  const wh = tokens.findIndex((t) =>
    ["who", "whom", "whose", "when", "why", "where", "which", "what", "how"].includes(t),
  );
  const w = at(wh);
  const next = at(wh + 1);
  if (w === "who" || w === "whom" || w === "whose") kind = "person";
  else if (w === "why") kind = "reason";
  else if (w === "where") kind = "place";
  else if (w === "when") kind = first === "since" || ["was", "were", "did"].includes(next) ? "time" : "condition";
  else if (w === "how") {
    if (["many", "much", "long", "large", "big", "old", "far", "often", "wide", "small", "high"].includes(next))
      kind = "number";
    else kind = "method";
  } else if (w === "which" || w === "what") {
    const isCopula = ["is", "are", "was", "were"].includes(next);
    if (isCopula) {
      const rest = tokens.slice(wh + 2);
      const startsWithArticle = rest[0] === "the";
      focus = phraseAfter(tokens, wh + 2 + (startsWithArticle ? 1 : 0));
      const ends = at(tokens.length - 1);
      if (["called", "named", "known"].includes(ends)) kind = focus.some((f) => CODE_NOUNS.has(f)) ? "code" : "entity";
      else if (!startsWithArticle && rest.length <= 5 && !rest.includes("of")) kind = "definition";
      else kind = "entity";
    } else if (AUXILIARIES.has(next)) {
      // "what does X stand for / mean / do"
      const tail = tokens.slice(-2).join(" ");
      kind = tail === "stand for" || tokens[tokens.length - 1] === "mean" ? "definition" : "entity";
    } else {
      focus = phraseAfter(tokens, wh + 1);
    }
    if (kind === "entity") {
      if (focus.some((f) => CODE_NOUNS.has(f))) kind = "code";
      else if (focus.some((f) => NUMBER_NOUNS.has(f))) kind = "number";
      else if (
        focus.some((f) => TIME_NOUNS.has(f)) &&
        (first === "since" || first === "in" || tokens.includes("introduced") || tokens.includes("released"))
      )
        kind = "time";
      else if (focus.some((f) => PLACE_NOUNS.has(f)) && first === "in") kind = "place";
    }
  } else if (["is", "are", "does", "do", "can", "should"].includes(first)) {
    kind = "entity";
  }
  return { kind, focus, terms };
}
