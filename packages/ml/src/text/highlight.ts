import { STOPWORDS, stem } from "./tokenize.ts";

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A highlight for a search hit: a window of about `chars` characters of the text around the densest
 * cluster of query terms (matched by their stem as a word prefix, stop words ignored), matches wrapped
 * in <mark>, the rest HTML-escaped, `…` where the window cuts the text. Null when no term occurs.
 * One regular-expression pass over the text: cheap enough for every hit of every search.
 */
export function highlight(text: string, query: string, chars = 160): string | null {
  return highlighter(query, chars)(text);
}

/** The highlight function for one query, to apply to many texts (the pattern is built once). */
export function highlighter(query: string, chars = 160): (text: string) => string | null {
  const stems = new Set<string>();
  for (const m of query.toLowerCase().matchAll(WORD)) if (!STOPWORDS.has(m[0]) && m[0].length > 1) stems.add(stem(m[0]));
  if (!stems.size) return () => null;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...stems].sort((a, b) => b.length - a.length).map(escapeRegex).join("|")})[\\p{L}\\p{N}]*`, "giu");
  return (text) => window(text, pattern, chars);
}

function window(text: string, pattern: RegExp, chars: number): string | null {
  const matches = [...text.matchAll(pattern)].map((m) => ({ start: m.index!, end: m.index! + m[0].length, key: m[0].toLowerCase().slice(0, 4) }));
  if (!matches.length) return null;
  let best = 0, bestScore = -1;
  for (let i = 0; i < matches.length; i++) {
    const seen = new Set<string>();
    for (let j = i; j < matches.length && matches[j]!.end - matches[i]!.start <= chars * 0.75; j++) seen.add(matches[j]!.key);
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
