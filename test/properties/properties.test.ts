import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chunkText,
  documentPathProblem,
  DocumentRejectedError,
  maxCharsOf,
  parseDocumentKey,
  toPassages,
  DEFAULT_CHUNK_OPTIONS,
} from "@genq/core";
import { parseDocument } from "@genq/parsing";
import { SearchRequest } from "../../packages/api/src/schemas.ts";

/** Every property runs a bounded number of cases within a time budget, so the suite stays fast. */
const budget = { numRuns: 150, interruptAfterTimeLimit: 4000 };

const word = fc.stringMatching(/^[A-Za-z0-9éü'-]{1,14}$/);
const sentence = fc.array(word, { minLength: 1, maxLength: 30 }).map((ws) => `${ws.join(" ")}.`);
const prose = fc.array(sentence, { minLength: 0, maxLength: 60 }).map((ss) => ss.join(" "));

describe("chunker properties", () => {
  it("passages are in order, inside the text, within the word and character limits, and miss no word", () => {
    fc.assert(
      fc.property(prose, fc.integer({ min: 8, max: 60 }), fc.integer({ min: 0, max: 3 }), (text, target, overlap) => {
        const opts = { targetWords: target, maxWords: target + 10, overlapSentences: overlap, minWords: 0 };
        const spans = chunkText(text, opts);
        let previous = -1;
        for (const s of spans) {
          expect(s.start).toBeGreaterThanOrEqual(0);
          expect(s.end).toBeLessThanOrEqual(text.length);
          expect(s.end - s.start).toBeLessThanOrEqual(maxCharsOf(opts));
          expect(text.slice(s.start, s.end).split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(opts.maxWords);
          expect(s.start).toBeGreaterThan(previous);
          previous = s.start;
        }
        const words = text.split(/\s+/).filter(Boolean);
        const joined = spans.map((s) => text.slice(s.start, s.end)).join(" ");
        for (const w of words) expect(joined).toContain(w);
      }),
      budget,
    );
  });

  it("text without spaces is cut into passages no longer than the character cap", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20_000, unit: fc.constantFrom("a", "b", "é", "😀") }),
        fc.integer({ min: 64, max: 500 }),
        (blob, maxChars) => {
          const spans = chunkText(blob, { ...DEFAULT_CHUNK_OPTIONS, maxChars });
          for (const s of spans) {
            expect(s.end - s.start).toBeLessThanOrEqual(maxChars);
            // Never half an emoji: a passage neither starts nor ends inside a surrogate pair.
            expect(blob.slice(s.start, s.end)).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
          }
          expect(spans.map((s) => blob.slice(s.start, s.end)).join("")).toBe(blob.trim());
        },
      ),
      budget,
    );
  });

  it("passage ids are unique and stable for the same content", () => {
    fc.assert(
      fc.property(fc.array(prose, { minLength: 1, maxLength: 4 }), (sections) => {
        const doc = { id: "d.md", title: "D", sections: sections.map((text, i) => ({ title: `S${i}`, text })) };
        const a = toPassages({ corpus: "c", sourcePath: "d.md", documents: [doc] }, { targetWords: 20, maxWords: 30 });
        const b = toPassages({ corpus: "c", sourcePath: "d.md", documents: [doc] }, { targetWords: 20, maxWords: 30 });
        expect(new Set(a.map((p) => p.id)).size).toBe(a.length);
        expect(b.map((p) => p.id)).toEqual(a.map((p) => p.id));
      }),
      budget,
    );
  });
});

describe("parser properties", () => {
  const extensions = [".txt", ".md", ".html", ".jsonl"];
  it("any bytes under any supported name either parse into documents with text or are rejected with a reason — never another error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...extensions), fc.uint8Array({ maxLength: 2000 }), async (ext, bytes) => {
        try {
          const docs = await parseDocument(`doc${ext}`, bytes);
          expect(docs.length).toBeGreaterThan(0);
          for (const d of docs) expect(typeof d.id).toBe("string");
        } catch (error) {
          expect(error).toBeInstanceOf(DocumentRejectedError);
          expect((error as Error).message.length).toBeGreaterThan(0);
        }
      }),
      budget,
    );
  });

  it("any Unicode text round-trips through the plain-text parser's decoding", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ minLength: 1, maxLength: 300, unit: "grapheme" })
          .filter((s) => s.trim().length > 0 && !s.includes("\0")),
        async (text) => {
          const [doc] = await parseDocument("t.txt", new TextEncoder().encode(text));
          expect(doc!.notes).toBeUndefined();
          for (const w of text.split(/\s+/).filter((x) => x && !/[\u0000-\u001f\u007f-\u009f]/.test(x)))
            expect(doc!.sections[0]!.text).toContain(w);
        },
      ),
      budget,
    );
  });

  it("a BEIR corpus keeps every good line and reports every bad one by its number", async () => {
    const line = fc.oneof(
      fc.record({ kind: fc.constant("good" as const), text: word }),
      fc.record({ kind: fc.constant("bad" as const), text: fc.constantFrom("{oops", "[]", '{"_id": "x"}') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), async (lines) => {
        const body = lines
          .map((l, i) => (l.kind === "good" ? JSON.stringify({ _id: `d${i}`, text: l.text }) : l.text))
          .join("\n");
        const good = lines.flatMap((l, i) => (l.kind === "good" ? [`d${i}`] : []));
        const bad = lines.flatMap((l, i) => (l.kind === "bad" ? [i + 1] : []));
        const attempt = parseDocument("corpus.jsonl", new TextEncoder().encode(body));
        if (!good.length) return void (await expect(attempt).rejects.toThrow(/no good line/));
        const docs = await attempt;
        expect(docs.map((d) => d.id)).toEqual(good);
        const note = docs[0]!.notes?.join(" ") ?? "";
        for (const n of bad.slice(0, 10)) expect(note).toContain(`line ${n}:`);
        if (!bad.length) expect(docs[0]!.notes).toBeUndefined();
      }),
      budget,
    );
  });
});

describe("document path rule properties", () => {
  const segment = fc
    .string({ minLength: 1, maxLength: 40, unit: fc.constantFrom("a", "b", "-", "_", ".", "é", " ", "日") })
    .filter((s) => s !== "." && s !== "..");
  it("accepts every relative path of ordinary names, and the bucket key of an accepted path reads back the same path", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const path = segments.join("/");
        expect(documentPathProblem(path)).toBeNull();
        expect(parseDocumentKey(`corpora/docs/docs/${path}`)).toEqual({ corpus: "docs", path });
      }),
      budget,
    );
  });

  it("refuses every path with a control character, a '..' segment or an over-long name, and no such key parses", () => {
    const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
    const bad = fc.oneof(
      fc.tuple(segment, control, segment).map(([a, c, b]) => `${a}${c}${b}`),
      fc.tuple(segment, segment).map(([a, b]) => `${a}/../${b}`),
      fc.tuple(segment, fc.integer({ min: 256, max: 400 })).map(([a, n]) => `${a}/${"x".repeat(n)}`),
      segment.map((a) => `/${a}`),
      segment.map((a) => `${a}//x`),
    );
    fc.assert(
      fc.property(bad, (path) => {
        expect(documentPathProblem(path)).not.toBeNull();
        expect(parseDocumentKey(`corpora/docs/docs/${path}`)).toBeNull();
      }),
      budget,
    );
  });
});

describe("search request schema properties", () => {
  it("accepts exactly the requests within the documented limits", () => {
    fc.assert(
      fc.property(
        fc.record({
          query: fc.string({ maxLength: 1100 }),
          k: fc.option(fc.integer({ min: -5, max: 150 }), { nil: undefined }),
          mode: fc.option(fc.constantFrom("hybrid", "semantic", "lexical", "fuzzy"), { nil: undefined }),
        }),
        (req) => {
          const body = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined));
          const ok =
            req.query.length >= 1 &&
            req.query.length <= 1000 &&
            (req.k === undefined || (req.k >= 1 && req.k <= 100)) &&
            req.mode !== "fuzzy";
          const parsed = SearchRequest.safeParse(body);
          expect(parsed.success).toBe(ok);
          if (parsed.success) expect(parsed.data.k).toBe(req.k ?? 10);
          else expect(parsed.error.issues[0]!.path.length).toBeGreaterThan(0);
        },
      ),
      budget,
    );
  });

  it("refuses any unknown field, naming it", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{1,10}$/).filter((k) => !["query", "k", "mode", "filter"].includes(k)),
        (extra) => {
          const parsed = SearchRequest.safeParse({ query: "x", [extra]: 1 });
          expect(parsed.success).toBe(false);
          expect(JSON.stringify(parsed.error!.issues)).toContain(extra);
        },
      ),
      budget,
    );
  });
});
