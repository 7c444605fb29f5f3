import { STOPWORDS, stem } from "./tokenize.ts";

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const ASCII_STEM = /^[a-z0-9]+$/;
const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface Match {
  start: number;
  end: number;
  key: string;
}

/**
 * A highlight for a search hit: a window of about `chars` characters of the text around the densest
 * cluster of query terms (matched by their stem as a word prefix, stop words ignored), matches wrapped
 * in <mark>, the rest HTML-escaped, `…` where the window cuts the text. Null when no term occurs.
 */
export function highlight(text: string, query: string, chars = 160): string | null {
  return highlighter(query, chars)(text);
}

/**
 * The highlight function for one query, to apply to many texts. A match is a run of letters and digits
 * that starts with a query stem, compared without regard to case. Runs of ASCII text against ASCII stems
 * (nearly all of them) are compared in place, with no regular expression built for the query: compiling
 * one per query cost more than ranking. Anything else — a run with other characters, where Unicode case
 * folding decides, or a stem that is not plain letters and digits — goes through the regular expression
 * that defines the match, built on first need.
 */
export function highlighter(query: string, chars = 160): (text: string) => string | null {
  const stems = new Set<string>();
  for (const m of query.toLowerCase().matchAll(WORD))
    if (!STOPWORDS.has(m[0]) && m[0].length > 1) stems.add(stem(m[0]));
  if (!stems.size) return () => null;
  const sorted = [...stems].sort((a, b) => b.length - a.length);
  const source = `(?<![\\p{L}\\p{N}])(?:${sorted.map(escapeRegex).join("|")})[\\p{L}\\p{N}]*`;
  if (!sorted.every((s) => ASCII_STEM.test(s))) {
    const pattern = new RegExp(source, "giu");
    return (text) => window(text, regexMatches(text, pattern), chars);
  }
  let sticky: RegExp | null = null;
  const regex = () => (sticky ??= new RegExp(source, "iuy"));
  const byFirst = new Map<number, string[]>();
  for (const s of sorted) byFirst.set(s.charCodeAt(0), [...(byFirst.get(s.charCodeAt(0)) ?? []), s]);
  return (text) => window(text, runMatches(text, byFirst, regex), chars);
}

function regexMatches(text: string, pattern: RegExp): Match[] {
  return [...text.matchAll(pattern)].map((m) => ({
    start: m.index!,
    end: m.index! + m[0].length,
    key: m[0].toLowerCase().slice(0, 4),
  }));
}

const isAsciiAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);

/** Whether the code point at `i` is a letter or digit, and how many UTF-16 units it takes. */
function alnumAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 128) return isAsciiAlnum(c) ? 1 : 0;
  const cp = text.codePointAt(i)!;
  return LETTER_OR_DIGIT.test(String.fromCodePoint(cp)) ? (cp > 0xffff ? 2 : 1) : 0;
}

/** The runs of letters and digits that start with a stem, in text order. */
function runMatches(text: string, byFirst: Map<number, string[]>, regex: () => RegExp): Match[] {
  const out: Match[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    let w = alnumAt(text, i);
    if (!w) {
      i++;
      continue;
    }
    const start = i;
    let ascii = true;
    for (; w; w = i < n ? alnumAt(text, i) : 0) {
      if (w === 2 || text.charCodeAt(i) >= 128) ascii = false;
      i += w;
    }
    if (!ascii) {
      // Unicode case folding decides: the defining expression, anchored at this run.
      const re = regex();
      re.lastIndex = start;
      const m = re.exec(text);
      if (m) out.push({ start, end: start + m[0].length, key: m[0].toLowerCase().slice(0, 4) });
      continue;
    }
    const candidates = byFirst.get(
      text.charCodeAt(start) | (text.charCodeAt(start) >= 65 && text.charCodeAt(start) <= 90 ? 32 : 0),
    );
    if (!candidates) continue;
    for (const s of candidates) {
      if (s.length > i - start) continue;
      let k = 1;
      while (k < s.length) {
        const c = text.charCodeAt(start + k);
        if ((c >= 65 && c <= 90 ? c | 32 : c) !== s.charCodeAt(k)) break;
        k++;
      }
      if (k === s.length) {
        out.push({ start, end: i, key: text.slice(start, Math.min(i, start + 4)).toLowerCase() });
        break;
      }
    }
  }
  return out;
}

function window(text: string, matches: Match[], chars: number): string | null {
  if (!matches.length) return null;
  let best = 0,
    bestScore = -1;
  for (let i = 0; i < matches.length; i++) {
    const seen = new Set<string>();
    for (let j = i; j < matches.length && matches[j]!.end - matches[i]!.start <= chars * 0.75; j++)
      seen.add(matches[j]!.key);
    if (seen.size > bestScore) [best, bestScore] = [i, seen.size];
  }
  let from = Math.max(0, matches[best]!.start - Math.floor(chars / 5));
  let to = Math.min(text.length, from + chars);
  while (from > 0 && /\S/.test(text[from - 1]!)) from--;
  while (to < text.length && /\S/.test(text[to]!)) to++;
  let out = from > 0 ? "…" : "";
  let at = from;
  for (const m of matches) {
    if (m.start < from || m.end > to) continue;
    out += `${escapeHtml(text.slice(at, m.start))}<mark>${escapeHtml(text.slice(m.start, m.end))}</mark>`;
    at = m.end;
  }
  return `${out}${escapeHtml(text.slice(at, to))}${to < text.length ? "…" : ""}`;
}
