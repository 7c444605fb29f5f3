import { describe, expect, it } from "vitest";
import { chunkText } from "./chunker.ts";
import { countWords, sentences, splitSentences } from "./sentences.ts";
import { toPassages } from "./passages.ts";

const sentence = (i: number, words = 10) =>
  `Sentence ${i} ${Array.from({ length: words - 3 }, (_, k) => `w${i}x${k}`).join(" ")} end.`;
const text = (n: number, words = 10) => Array.from({ length: n }, (_, i) => sentence(i, words)).join(" ");

describe("splitSentences", () => {
  it("splits on sentence punctuation followed by a capital, and on line breaks", () => {
    const t = "First one. Second one! Third? fourth stays.\nA new line";
    expect(splitSentences(t).map((s) => t.slice(s.start, s.end))).toEqual([
      "First one.",
      "Second one!",
      "Third? fourth stays.",
      "A new line",
    ]);
  });

  it("does not split after abbreviations or initials", () => {
    const t = "Use e.g. Postgres. See Dr. Smith and J. R. Tolkien. Done.";
    expect(splitSentences(t).map((s) => t.slice(s.start, s.end))).toEqual([
      "Use e.g. Postgres.",
      "See Dr. Smith and J. R. Tolkien.",
      "Done.",
    ]);
  });
});

describe("sentences", () => {
  it("gives splitSentences' spans with each one's word count, abbreviations and non-ASCII words included", () => {
    const t =
      '  Use e.g. Postgres.\tSee Dr. Smith (Fig. 3) and J. R. Tolkien!  \u00a0Zoë’s café… is İ. open?\n\n"Quoted" words. (ok) Done.\u000bx ';
    const got = sentences(t);
    expect(got.map((s) => ({ start: s.start, end: s.end }))).toEqual(splitSentences(t));
    expect(got.map((s) => s.words)).toEqual(got.map((s) => countWords(t, s.start, s.end)));
    expect(got.map((s) => t.slice(s.start, s.end))).toEqual([
      "Use e.g. Postgres.",
      "See Dr. Smith (Fig. 3) and J. R. Tolkien!",
      "Zoë’s café… is İ. open?",
      '"Quoted" words.',
      "(ok) Done.\u000bx",
    ]);
  });
});

describe("chunkText", () => {
  it("packs whole sentences up to the target and overlaps one sentence", () => {
    const t = text(10);
    const chunks = chunkText(t, { targetWords: 30, maxWords: 40, overlapSentences: 1, minWords: 0 });
    const pieces = chunks.map((c) => t.slice(c.start, c.end));
    expect(pieces[0]).toBe([0, 1, 2].map((i) => sentence(i)).join(" "));
    expect(pieces[1]!.startsWith(sentence(2))).toBe(true);
    for (const p of pieces) expect(countWords(p)).toBeLessThanOrEqual(30);
    expect(pieces[pieces.length - 1]!.endsWith(sentence(9))).toBe(true);
  });

  it("covers every sentence of the text", () => {
    const t = text(37, 13);
    const pieces = chunkText(t, { targetWords: 50, maxWords: 60 }).map((c) => t.slice(c.start, c.end));
    for (let i = 0; i < 37; i++) expect(pieces.some((p) => p.includes(sentence(i, 13)))).toBe(true);
  });

  it("cuts an over-long sentence only between words", () => {
    const long = Array.from({ length: 1000 }, (_, i) => `word${i}`).join(" ");
    const chunks = chunkText(long, { targetWords: 100, maxWords: 120 });
    const words = new Set(long.split(" "));
    for (const c of chunks) {
      const piece = long.slice(c.start, c.end);
      expect(countWords(piece)).toBeLessThanOrEqual(120);
      for (const w of piece.split(" ")) expect(words.has(w)).toBe(true);
    }
  });

  it("merges a short tail into the previous passage when it fits", () => {
    const t = `${text(3)} Tail.`;
    const chunks = chunkText(t, { targetWords: 30, maxWords: 40, overlapSentences: 0, minWords: 5 });
    expect(chunks).toHaveLength(1);
  });

  it("returns nothing for empty or blank text", () => {
    expect(chunkText("")).toEqual([]);
    expect(chunkText("  \n\n ")).toEqual([]);
  });
});

describe("toPassages", () => {
  const doc = (body: string) => ({
    id: "guide.md",
    title: "Guide",
    sections: [{ title: "Guide › Intro", text: body }],
  });

  it("gives the same ids for the same content, and new ids only for changed text", () => {
    const body = text(40);
    const a = toPassages(
      { corpus: "c", sourcePath: "guide.md", documents: [doc(body)] },
      { targetWords: 60, maxWords: 80 },
    );
    const b = toPassages(
      { corpus: "c", sourcePath: "guide.md", documents: [doc(body)] },
      { targetWords: 60, maxWords: 80 },
    );
    expect(b.map((p) => p.id)).toEqual(a.map((p) => p.id));
    const edited = body.replace(sentence(39), "Sentence thirty-nine was rewritten completely here.");
    const c = toPassages(
      { corpus: "c", sourcePath: "guide.md", documents: [doc(edited)] },
      { targetWords: 60, maxWords: 80 },
    );
    expect(c[0]!.id).toBe(a[0]!.id);
    expect(c[c.length - 1]!.id).not.toBe(a[a.length - 1]!.id);
    expect(new Set(a.map((p) => p.id)).size).toBe(a.length);
  });

  it("keeps section titles and document ids", () => {
    const [p] = toPassages({
      corpus: "c",
      sourcePath: "corpus.jsonl",
      documents: [{ id: "doc-7", title: "T", sections: [{ title: "", text: "Hello there." }] }],
    });
    expect(p).toMatchObject({ documentId: "doc-7", title: "T", sourcePath: "corpus.jsonl", ordinal: 0 });
  });
});
