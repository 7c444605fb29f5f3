import { stem } from "../text/tokenize.ts";
import type { QuestionAnalysis } from "./question.ts";

/** What a question expects its answer to look like: the shape groups the span ranker learns against. */
export const EXPECTED_ANSWERS = [
  "number",
  "version",
  "function",
  "operator",
  "keyword",
  "setting",
  "datatype",
  "definition",
  "reason",
  "method",
  "person",
  "entity",
] as const;
export type ExpectedAnswer = (typeof EXPECTED_ANSWERS)[number];

/** The written shape of a span: a symbol, a number, an identifier, a key word, a word, a name or a phrase of some length. */
export const SPAN_SHAPES = [
  "symbol",
  "number",
  "identifier",
  "keyword",
  "lowerWord",
  "name",
  "shortPhrase",
  "phrase",
  "clause",
] as const;
export type SpanShape = (typeof SPAN_SHAPES)[number];

const NOUN_GROUPS: Array<[ExpectedAnswer, string[]]> = [
  [
    "function",
    ["function", "aggregate", "procedure", "program", "utility", "tool", "module", "extension", "view", "catalog"],
  ],
  ["operator", ["operator"]],
  [
    "keyword",
    [
      "command",
      "statement",
      "clause",
      "keyword",
      "key",
      "word",
      "modifier",
      "prefix",
      "notation",
      "syntax",
      "constraint",
    ],
  ],
  [
    "setting",
    [
      "parameter",
      "setting",
      "variable",
      "option",
      "configuration",
      "flag",
      "switch",
      "field",
      "column",
      "role",
      "privilege",
    ],
  ],
  ["datatype", ["type"]],
];
const GROUP_OF = new Map(NOUN_GROUPS.flatMap(([group, nouns]) => nouns.map((n) => [stem(n), group] as const)));

/**
 * The expected answer of an analysed question: its kind for amounts, versions, definitions, reasons,
 * methods and people; for "which X" questions, the group of the last focus noun that names one
 * ("which *function*", "which *operator*", "which data *type*"); otherwise any entity.
 */
export function expectedAnswer(analysis: QuestionAnalysis): ExpectedAnswer {
  switch (analysis.kind) {
    case "number":
      return "number";
    case "time":
      return "version";
    case "definition":
      return "definition";
    case "reason":
    case "condition":
      return "reason";
    case "method":
      return "method";
    case "person":
      return "person";
    default:
      for (let i = analysis.focus.length - 1; i >= 0; i--) {
        const group = GROUP_OF.get(analysis.focus[i]!);
        if (group) return group;
      }
      return "entity";
  }
}

/** The shape of a span's text (see SPAN_SHAPES). */
export function spanShape(text: string): SpanShape {
  const t = text.trim();
  const words = t.split(/\s+/).filter(Boolean);
  if (!/[\p{L}\p{N}]/u.test(t)) return "symbol";
  if (/\d/.test(t) && words.length <= 5) return "number";
  if (words.length === 1 && (/[_.$%]/.test(t) || /\(\s*\)$/.test(t))) return "identifier";
  if (/^[A-Za-z_][\w.]*\s*\(/.test(t) && words.length <= 6) return "identifier";
  if (words.length <= 4 && /[A-Z]{2}/.test(t) && t === t.toUpperCase()) return "keyword";
  if (words.length === 1) return /^[a-z]/.test(t) ? "lowerWord" : "name";
  if (words.length <= 4) return "shortPhrase";
  if (words.length <= 12) return "phrase";
  return "clause";
}

/** One-hot features of (expected answer × span shape), in the order of SHAPE_FEATURES. */
export function shapeFeatures(expected: ExpectedAnswer, shape: SpanShape): number[] {
  const out = new Array<number>(EXPECTED_ANSWERS.length * SPAN_SHAPES.length).fill(0);
  out[EXPECTED_ANSWERS.indexOf(expected) * SPAN_SHAPES.length + SPAN_SHAPES.indexOf(shape)] = 1;
  return out;
}

/** The names of the shape features ("function×identifier", …). */
export const SHAPE_FEATURES = EXPECTED_ANSWERS.flatMap((e) => SPAN_SHAPES.map((s) => `${e}×${s}`));
