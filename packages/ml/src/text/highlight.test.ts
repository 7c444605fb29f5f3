import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { highlight } from "./highlight.ts";
import { STOPWORDS, stem } from "./tokenize.ts";

/** The definition a highlight follows: one case-insensitive Unicode expression per query over the whole text. */
function reference(text: string, query: string, chars = 160): string | null {
  const stems = new Set<string>();
  for (const m of query.toLowerCase().matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu))
    if (!STOPWORDS.has(m[0]) && m[0].length > 1) stems.add(stem(m[0]));
  if (!stems.size) return null;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${[...stems]
      .sort((a, b) => b.length - a.length)
      .map(escape)
      .join("|")})[\\p{L}\\p{N}]*`,
    "giu",
  );
  const matches = [...text.matchAll(pattern)].map((m) => ({
    start: m.index!,
    end: m.index! + m[0].length,
    key: m[0].toLowerCase().slice(0, 4),
  }));
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
  const html = (s: string) =>
    s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
  let out = from > 0 ? "…" : "";
  let at = from;
  for (const m of matches) {
    if (m.start < from || m.end > to) continue;
    out += `${html(text.slice(at, m.start))}<mark>${html(text.slice(m.start, m.end))}</mark>`;
    at = m.end;
  }
  return `${out}${html(text.slice(at, to))}${to < text.length ? "…" : ""}`;
}

describe("highlight", () => {
  it("marks words that start with a query stem, whatever their case, and escapes the rest", () => {
    expect(highlight("Creating INDEXES on <expressions> & indexed columns", "create an index")).toBe(
      "<mark>Creating</mark> <mark>INDEXES</mark> on &lt;expressions&gt; &amp; <mark>indexed</mark> columns",
    );
  });

  it("cuts a window around the densest cluster of query terms, marking the cut with …", () => {
    const text = `${"filler words here ".repeat(30)}the vacuum command reclaims storage ${"more filler text ".repeat(30)}`;
    const h = highlight(text, "vacuum storage", 80)!;
    expect(h.startsWith("…")).toBe(true);
    expect(h.endsWith("…")).toBe(true);
    expect(h).toContain("<mark>vacuum</mark> command reclaims <mark>storage</mark>");
  });

  it("is null when no term occurs, or the query has only stop words", () => {
    expect(highlight("nothing relevant", "vacuum")).toBeNull();
    expect(highlight("the and of", "the and")).toBeNull();
  });

  it("matches non-ASCII words as Unicode case folding does (Kelvin sign, accents)", () => {
    expect(highlight("Café society and CAFÉS", "café")).toBe("<mark>Café</mark> society and <mark>CAFÉS</mark>");
    expect(highlight("\u212Aernel panics", "kernel")).toBe("<mark>\u212Aernel</mark> panics");
  });

  it("gives exactly the defining expression's highlight on any text and query", () => {
    const piece = fc.constantFrom(
      "index",
      "Index",
      "INDEXES",
      "vacuum",
      "café",
      "CAFÉ",
      "\u212Aelvin",
      "kelvin",
      "ſtop",
      "stop",
      "1990's",
      "x",
      "ß",
      "SS",
      "über",
      "𝒳data",
      "data",
      " ",
      "  ",
      ".",
      "-",
      "’s",
      "<b>",
      "&",
      "\n",
      "é",
      "naïve",
      "e\u0301",
    );
    const text = fc.array(piece, { maxLength: 60 }).map((xs) => xs.join(""));
    const query = fc
      .array(
        fc.constantFrom(
          "index",
          "vacuum",
          "café",
          "kelvin",
          "stops",
          "1990's",
          "über",
          "data",
          "the",
          "x",
          "naïve",
          "ss",
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((xs) => xs.join(" "));
    fc.assert(
      fc.property(text, query, fc.constantFrom(40, 160), (t, q, chars) => {
        expect(highlight(t, q, chars)).toBe(reference(t, q, chars));
      }),
      { numRuns: 1500 },
    );
  });
});
