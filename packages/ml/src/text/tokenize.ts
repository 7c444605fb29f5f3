import { stemmer } from "stemmer";

/** English function words that carry no retrieval signal. */
export const STOPWORDS = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between both but by can could " +
    "did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in " +
    "into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same " +
    "she should so some such than that the their theirs them themselves then there these they this those through to too under until up " +
    "very was we were what when where which while who whom why will with would you your yours yourself yourselves s t don doesn isn " +
    "can't won't i'm it's let's"
  ).split(" "),
);

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** Lower-cased word tokens (letters and digits), in order. */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

const stemCache = new Map<string, string>();

/**
 * A copy of a string that holds nothing else: a long word cut from a text by a regular expression can be
 * a slice that keeps the whole text alive, and a word kept (as a cache or index key) would keep every
 * such text.
 */
export const ownCopy = (s: string): string => (s.length < 13 ? s : (" " + s).slice(1));

/** Porter stem of a lower-case word (cached: corpora repeat words a lot). */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = word.length > 2 && !/\d/.test(word) ? stemmer(word.replace(/['’]/g, "")) : word;
    if (stemCache.size < 500_000) stemCache.set(ownCopy(word), (s = ownCopy(s)));
  }
  return s;
}

/** Retrieval terms: lower-cased, stop words removed, Porter-stemmed (as SQLite FTS5's porter tokenizer does). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOPWORDS.has(w)) out.push(stem(w));
  return out;
}
