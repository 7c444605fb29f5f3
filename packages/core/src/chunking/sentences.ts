/** A half-open character range [start, end) of a text. */
export interface Span {
  start: number;
  end: number;
}

const ABBREVIATIONS = new Set([
  "e.g", "i.e", "etc", "vs", "cf", "mr", "mrs", "ms", "dr", "prof", "st", "no", "fig", "eq", "approx", "resp", "ca", "al", "inc", "ltd", "jr", "sr",
]);

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 160;
const isCloser = (c: number) => c === 34 || c === 39 || c === 41 || c === 93 || c === 125 || c === 8217 || c === 8221;
const isUpperOrDigit = (c: number) => (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (c >= 192 && c <= 222);
const isOpener = (c: number) => c === 34 || c === 39 || c === 40 || c === 91 || c === 8216 || c === 8220 || c === 96 || c === 45 || c === 42;

/** True when the word that ends just before `dot` is a known abbreviation or a single-letter initial. */
function endsWithAbbreviation(text: string, dot: number): boolean {
  let i = dot - 1;
  while (i >= 0 && !isSpace(text.charCodeAt(i))) i--;
  const word = text.slice(i + 1, dot).toLowerCase().replace(/^[("'[]+/, "");
  if (word.length === 1 && /[a-z]/.test(word)) return true;
  return ABBREVIATIONS.has(word);
}

/**
 * Split text into sentence spans. Boundaries: `.`, `!` or `?` (plus closing quotes/brackets) followed
 * by whitespace and an upper-case letter, digit or opening quote; and every line break (lines in parsed
 * documents are paragraphs, list items or code lines). Abbreviations and initials do not end sentences.
 * Spans exclude surrounding whitespace and cover every non-space character exactly once.
 */
export function splitSentences(text: string): Span[] {
  const spans: Span[] = [];
  const n = text.length;
  let start = 0;
  while (start < n && isSpace(text.charCodeAt(start))) start++;
  let i = start;
  const push = (end: number) => {
    let e = end;
    while (e > start && isSpace(text.charCodeAt(e - 1))) e--;
    if (e > start) spans.push({ start, end: e });
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      push(i);
      start = i + 1;
      while (start < n && isSpace(text.charCodeAt(start))) start++;
      i = start;
      continue;
    }
    if (c === 46 || c === 33 || c === 63) {
      let j = i + 1;
      while (j < n && (isCloser(text.charCodeAt(j)) || text.charCodeAt(j) === c)) j++;
      if (j < n && isSpace(text.charCodeAt(j)) && text.charCodeAt(j) !== 10) {
        let k = j;
        while (k < n && isSpace(text.charCodeAt(k)) && text.charCodeAt(k) !== 10) k++;
        const next = k < n ? text.charCodeAt(k) : 0;
        if (k < n && next !== 10 && (isUpperOrDigit(next) || isOpener(next)) && !(c === 46 && endsWithAbbreviation(text, i))) {
          push(j);
          start = k;
          i = k;
          continue;
        }
      }
      i = j;
      continue;
    }
    i++;
  }
  push(n);
  return spans;
}

/** Number of whitespace-separated words in text[start, end). */
export function countWords(text: string, start = 0, end = text.length): number {
  let words = 0;
  let inWord = false;
  for (let i = start; i < end; i++) {
    const space = isSpace(text.charCodeAt(i));
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

/** Word spans of text[start, end), used to cut over-long sentences only at word boundaries. */
export function wordSpans(text: string, start: number, end: number): Span[] {
  const out: Span[] = [];
  let i = start;
  while (i < end) {
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    if (i >= end) break;
    const s = i;
    while (i < end && !isSpace(text.charCodeAt(i))) i++;
    out.push({ start: s, end: i });
  }
  return out;
}
