import { nounPhrases } from "./tagger.ts";

/** The shape of a candidate answer span; the reader weighs each shape against the kind of question. */
export const SPAN_CLASSES = [
  "code",
  "codeline",
  "number",
  "time",
  "phrase",
  "list",
  "predicate",
  "reason",
  "condition",
  "agent",
  "named",
  "cell",
  "parenthetical",
  "sentence",
  "term",
] as const;
export type SpanClass = (typeof SPAN_CLASSES)[number];

/** A candidate span: character offsets into the text it was found in. */
export interface SpanCandidate {
  start: number;
  end: number;
  cls: SpanClass;
}

const UNITS =
  "bytes?|bits?|kilobytes?|megabytes?|gigabytes?|terabytes?|KB|MB|GB|TB|kB|characters?|digits?|columns?|rows?|days?|seconds?|microseconds?|milliseconds?|hours?|minutes?|weeks?|months?|years?|percent|%|times|positions?|words?|keys?|entries|pages?|tables?|indexes|connections|processes|lines|levels|arguments|octets?|decimal digits(?: precision)?|bit|byte";
const NUMBER_WORDS =
  "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|sixteen|twenty|thirty|sixty|hundred|thousand|million|billion";
const NUM = String.raw`[-+]?(?:\d[\d,]*(?:\.\d+)?|(?:${NUMBER_WORDS})(?:[- ](?:${NUMBER_WORDS}))*)`;
const NUMBER = new RegExp(
  String.raw`(?<![\w.])(?:(?:up to|at most|about|approximately|roughly|less than|more than|no more than|at least|between|from)\s+)?${NUM}(?:\s*(?:to|and|-|–)\s*${NUM})?(?:[- ](?:${UNITS})\b)?(?:\s*\([^()]{1,30}\))?`,
  "gi",
);
const TIME = /\b(?:PostgreSQL|Postgres|SQL)[ :-]?\d+(?:\.\d+)?\b|\b(?:1[89]|20)\d{2}\b|\b\d+ (?:BC|AD)\b/g;
/** Things one types: SQL key word runs, identifiers with _ . or (), options, psql meta-commands, CamelCase names, paths. */
const CODE = new RegExp(
  [
    String.raw`\b[A-Z][A-Z0-9_]+(?:\s+(?:[A-Z][A-Z0-9_]*|\.\.\.|\*))*(?:\s*\([^()]{0,40}\))?`,
    String.raw`\b[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+\b(?:\s?\([^()]{0,40}\))?`,
    String.raw`\b[A-Za-z]*_[A-Za-z0-9_]*(?:\/\*)?(?:\s?\([^()]{0,40}\))?`,
    String.raw`\b[a-z][a-z0-9]*\s?\(\s*\)`,
    String.raw`\b[a-z]+[A-Z][A-Za-z0-9]*\b|\b[A-Z][a-z]+[A-Z][A-Za-z0-9]*\b`,
    String.raw`(?<![\w-])--?[A-Za-z][A-Za-z0-9-]*`,
    String.raw`\\[A-Za-z?+]+(?:\[[^\]]*\])?`,
    String.raw`\b[a-z]+(?:-[a-z0-9]+)+\b`,
    String.raw`\b[A-Z][A-Za-z0-9]*-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b`,
    String.raw`\b\d+[A-Z]+[A-Z0-9]*\b`,
  ].join("|"),
  "g",
);
const COMMON_CAPS = new Set(["A", "I", "SQL"]);
const NOT_AN_ANSWER =
  /^(?:(?:see|in|of)\s+)?(?:Section|Table|Chapter|Figure|Example|Appendix|Part)\s+[\dA-Z][\d.]*$|^(?:e\.g|i\.e|etc|cf)\.?$/i;

const trimSpan = (text: string, start: number, end: number): [number, number] => {
  while (start < end && /[\s,;:.!?"'“”‘’()[\]{}|]/.test(text[start]!)) start++;
  while (end > start && /[\s,;:.!?"'“”‘’|]/.test(text[end - 1]!)) end--;
  // Keep a closing parenthesis only when its opening one is inside the span.
  if (text[end - 1] === ")" && !text.slice(start, end).includes("(")) end--;
  if (text[start] === "(" && !text.slice(start, end).includes(")")) start++;
  return [start, end];
};

function regexSpans(
  text: string,
  from: number,
  to: number,
  re: RegExp,
  cls: SpanClass,
  out: SpanCandidate[],
  keep?: (s: string) => boolean,
) {
  const piece = text.slice(from, to);
  re.lastIndex = 0;
  for (let m = re.exec(piece); m; m = re.exec(piece)) {
    if (!m[0]) {
      re.lastIndex++;
      continue;
    }
    const [s, e] = trimSpan(text, from + m.index, from + m.index + m[0].length);
    if (e > s && (!keep || keep(text.slice(s, e)))) out.push({ start: s, end: e, cls });
  }
}

/** The clause that starts at a cue word (inclusive or not), up to the next clause boundary. */
function clauseSpans(
  text: string,
  from: number,
  to: number,
  cue: RegExp,
  cls: SpanClass,
  includeCue: boolean,
  out: SpanCandidate[],
  untilEnd = false,
) {
  const piece = text.slice(from, to);
  cue.lastIndex = 0;
  for (let m = cue.exec(piece); m; m = cue.exec(piece)) {
    const start = from + m.index + (includeCue ? 0 : m[0].length);
    let end = to;
    if (!untilEnd) {
      const rest = text.slice(start, to);
      const stop = rest.search(/[;:]|, (?:and|but|so|which|whereas|while|although)\b|\.\s|\s\(/);
      if (stop > 0) end = start + stop;
    }
    const [s, e] = trimSpan(text, start, end);
    if (e - s >= 2) out.push({ start: s, end: e, cls });
  }
}

/** Runs of two or more code spans joined by "and", "or" or commas: "BEGIN and COMMIT", "\df and \do". */
function listSpans(text: string, code: SpanCandidate[], out: SpanCandidate[]) {
  const sorted = [...code].sort((a, b) => a.start - b.start);
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (
      j + 1 < sorted.length &&
      /^(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)$/.test(text.slice(sorted[j]!.end, sorted[j + 1]!.start))
    )
      j++;
    if (j > i) out.push({ start: sorted[i]!.start, end: sorted[j]!.end, cls: "list" });
  }
}

/**
 * Candidate answer spans inside one sentence `[from, to)` of `text`: code, amounts, versions, noun
 * phrases (tagged by wink-nlp), table cells, the predicate of "X is Y", reasons ("because
 * …"), conditions ("if …"), agents ("by …"), names ("called …"), parentheticals, and the sentence itself.
 * A sentence that ends with ":" also offers the line after it (the command it introduces), passed as `next`.
 */
export function sentenceCandidates(
  text: string,
  from: number,
  to: number,
  next?: { start: number; end: number },
): SpanCandidate[] {
  const out: SpanCandidate[] = [];
  const sentence = text.slice(from, to);
  const code: SpanCandidate[] = [];
  regexSpans(
    text,
    from,
    to,
    CODE,
    "code",
    code,
    (s) => !COMMON_CAPS.has(s) && !/^[A-Z][a-z]+$/.test(s) && s.length <= 80,
  );
  out.push(...code);
  listSpans(text, code, out);
  regexSpans(text, from, to, NUMBER, "number", out, (s) =>
    /\d|one|two|three|four|five|six|seven|eight|nine|ten|twelve|hundred|thousand|million|billion/i.test(s),
  );
  regexSpans(text, from, to, TIME, "time", out);
  if (sentence.includes(" | ")) {
    let at = from;
    for (const cell of sentence.split(" | ")) {
      const [s, e] = trimSpan(text, at, at + cell.length);
      if (e > s) out.push({ start: s, end: e, cls: "cell" });
      at += cell.length + 3;
    }
  } else {
    const phrases = nounPhrases(sentence);
    for (const { start, end } of phrases) {
      const [s, e] = trimSpan(text, from + start, from + end);
      if (e <= s) continue;
      out.push({ start: s, end: e, cls: "phrase" });
      // A noun phrase's last word alone: "the data type tsvector" answers "which data type" with "tsvector".
      const last = text.slice(s, e).search(/\S+$/);
      if (last > 0) out.push({ start: s + last, end: e, cls: "phrase" });
    }
    clauseSpans(
      text,
      from,
      to,
      /\b(?:is|are|was|were|means|refers to|constitutes)\s+(?:(?:essentially|normally|usually|always|typically|generally|simply|also|actually|just|then|still|currently|only)\s+)*/g,
      "predicate",
      false,
      out,
      true,
    );
    clauseSpans(
      text,
      from,
      to,
      /\b(?:because|due to|since|so that|in order to|as a result of)\b/g,
      "reason",
      true,
      out,
      true,
    );
    clauseSpans(
      text,
      from,
      to,
      /\b(?:if|when|whenever|unless|once|after|before|until)\b/g,
      "condition",
      true,
      out,
      true,
    );
    clauseSpans(text, from, to, /\bby\s+/g, "agent", false, out);
    clauseSpans(text, from, to, /\b(?:called|named|known as|referred to as|termed)\s+/g, "named", false, out);
    regexSpans(text, from, to, /\(([^()]{2,80})\)/g, "parenthetical", out);
  }
  if (next && /:\s*$/.test(sentence)) {
    const [s, e] = trimSpan(text, next.start, next.end);
    if (e > s) out.push({ start: s, end: e, cls: "codeline" });
  }
  if (/^(?:\$ |[a-z]+=[>#] |[A-Z]{2,}[ (;])/.test(sentence) && !/[.!?]$/.test(sentence))
    out.push({ start: from, end: to, cls: "codeline" });
  out.push({ start: from, end: to, cls: "sentence" });
  // One candidate per (span, class); a span that is the whole sentence keeps its sentence class too.
  // Cross-references ("see Section 5.11", "Table 8.6") and abbreviations ("e.g") never answer.
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = `${c.start}:${c.end}:${c.cls}`;
    if (seen.has(key) || c.end <= c.start || NOT_AN_ANSWER.test(text.slice(c.start, c.end))) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether a line names what the lines after it describe, as reference documentation lays out functions,
 * operators, settings and fields: a signature ("array_ndims ( anyarray ) → integer", "anyarray && anyarray
 * → boolean") or a short label on its own line ("isodow", "TG_OP").
 */
export function isTermLine(line: string): boolean {
  const t = line.trim();
  if (!t || t === "|" || t.length > 200) return false;
  if (/\s→\s/.test(t)) return true;
  return (
    t.length <= 40 &&
    t.split(/\s+/).length <= 3 &&
    !/[.:;,!?]$/.test(t) &&
    !/^(?:Table|Example|Figure|Note|Tip|Caution|Warning|Result)\b/.test(t)
  );
}

/**
 * The spans of a term line that can answer for the text it introduces: a signature's function name
 * ("array_ndims") or operator ("&&", "->>", "<->"), or a short label whole.
 */
export function termCandidates(text: string, from: number, to: number): SpanCandidate[] {
  const line = text.slice(from, to);
  const arrow = line.search(/\s→\s/);
  if (arrow < 0) {
    const [s, e] = trimSpan(text, from, to);
    return e > s ? [{ start: s, end: e, cls: "term" }] : [];
  }
  const out: SpanCandidate[] = [];
  const fn = /^\s*([A-Za-z_][\w.$]*)\s*\(/.exec(line);
  if (fn)
    out.push({
      start: from + fn.index + fn[0].indexOf(fn[1]!),
      end: from + fn.index + fn[0].indexOf(fn[1]!) + fn[1]!.length,
      cls: "term",
    });
  else {
    // An operator signature: the first token before the arrow made of symbols only ("&&", "->>", "!!").
    for (const m of line.slice(0, arrow).matchAll(/\S+/g)) {
      if (/^[^\p{L}\p{N}\s"'(),[\]]+$/u.test(m[0])) {
        out.push({ start: from + m.index, end: from + m.index + m[0].length, cls: "term" });
        break;
      }
    }
  }
  return out;
}
