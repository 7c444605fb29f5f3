/** A half-open character range [start, end) of a text. */
export interface Span {
  start: number;
  end: number;
}

const ABBREVIATIONS = new Set([
  "e.g",
  "i.e",
  "etc",
  "vs",
  "cf",
  "mr",
  "mrs",
  "ms",
  "dr",
  "prof",
  "st",
  "no",
  "fig",
  "eq",
  "approx",
  "resp",
  "ca",
  "al",
  "inc",
  "ltd",
  "jr",
  "sr",
]);

/** Whitespace as the chunker sees it: space, tab, line feed, carriage return, form feed, no-break space. */
const SPACE = new Uint8Array(256);
for (const c of [32, 9, 10, 13, 12, 160]) SPACE[c] = 1;
const isSpace = (c: number) => c < 256 && SPACE[c] === 1;
const isCloser = (c: number) => c === 34 || c === 39 || c === 41 || c === 93 || c === 125 || c === 8217 || c === 8221;
const isUpperOrDigit = (c: number) => (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (c >= 192 && c <= 222);
const isOpener = (c: number) =>
  c === 34 || c === 39 || c === 40 || c === 91 || c === 8216 || c === 8220 || c === 96 || c === 45 || c === 42;
const LONGEST_ABBREVIATION = Math.max(...[...ABBREVIATIONS].map((a) => a.length));

/** True when the word that ends just before `dot` is a known abbreviation or a single-letter initial. */
function endsWithAbbreviation(text: string, dot: number): boolean {
  let i = dot - 1;
  while (i >= 0 && !isSpace(text.charCodeAt(i))) i--;
  let from = i + 1;
  // Leading ( " ' [ are not part of the word.
  for (
    let c = text.charCodeAt(from);
    from < dot && (c === 40 || c === 34 || c === 39 || c === 91);
    c = text.charCodeAt(++from)
  );
  const length = dot - from;
  let ascii = true;
  for (let j = from; j < dot && ascii; j++) ascii = text.charCodeAt(j) < 128;
  // Lower-casing non-ASCII text can change its length: those words take the general path.
  if (!ascii) {
    const word = text
      .slice(i + 1, dot)
      .toLowerCase()
      .replace(/^[("'[]+/, "");
    return (word.length === 1 && /[a-z]/.test(word)) || ABBREVIATIONS.has(word);
  }
  if (length === 1) {
    const c = text.charCodeAt(from) | 32;
    return c >= 97 && c <= 122;
  }
  return length <= LONGEST_ABBREVIATION && ABBREVIATIONS.has(text.slice(from, dot).toLowerCase());
}

/** A sentence span with its number of whitespace-separated words. */
export interface Sentence extends Span {
  words: number;
}

/**
 * Split text into sentence spans. Boundaries: `.`, `!` or `?` (plus closing quotes/brackets) followed
 * by whitespace and an upper-case letter, digit or opening quote; and every line break (lines in parsed
 * documents are paragraphs, list items or code lines). Abbreviations and initials do not end sentences.
 * Spans exclude surrounding whitespace and cover every non-space character exactly once.
 */
export function splitSentences(text: string): Span[] {
  return sentences(text).map((s) => ({ start: s.start, end: s.end }));
}

/** splitSentences with each sentence's word count, counted in the same pass over the text. */
export function sentences(text: string): Sentence[] {
  const spans: Sentence[] = [];
  const n = text.length;
  let start = 0;
  while (start < n && isSpace(text.charCodeAt(start))) start++;
  let i = start;
  let words = 0;
  let inWord = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      pushSentence(spans, text, start, i, words);
      words = 0;
      inWord = false;
      start = i + 1;
      while (start < n && isSpace(text.charCodeAt(start))) start++;
      i = start;
      continue;
    }
    if (c < 256 && SPACE[c] === 1) {
      inWord = false;
      i++;
      continue;
    }
    if (!inWord) {
      words++;
      inWord = true;
    }
    if (c !== 46 && c !== 33 && c !== 63) {
      // The rest of the word in a tight loop: most characters are letters.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d <= 32 || d === 46 || d === 33 || d === 63 || d === 160) break;
      }
      continue;
    }
    // A sentence mark: a boundary when the next word starts a sentence.
    let j = i + 1;
    while (j < n && (isCloser(text.charCodeAt(j)) || text.charCodeAt(j) === c)) j++;
    if (j < n && isSpace(text.charCodeAt(j)) && text.charCodeAt(j) !== 10) {
      let k = j;
      while (k < n && isSpace(text.charCodeAt(k)) && text.charCodeAt(k) !== 10) k++;
      const next = k < n ? text.charCodeAt(k) : 0;
      if (
        k < n &&
        next !== 10 &&
        (isUpperOrDigit(next) || isOpener(next)) &&
        !(c === 46 && endsWithAbbreviation(text, i))
      ) {
        pushSentence(spans, text, start, j, words);
        words = 0;
        inWord = false;
        start = k;
        i = k;
        continue;
      }
    }
    // The closers and repeated marks up to j belong to the current word.
    i = j;
  }
  pushSentence(spans, text, start, n, words);
  return spans;
}

/** Add text[start, end) less its trailing whitespace, if anything is left. */
function pushSentence(spans: Sentence[], text: string, start: number, end: number, words: number) {
  let e = end;
  while (e > start && isSpace(text.charCodeAt(e - 1))) e--;
  if (e > start) spans.push({ start, end: e, words });
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
