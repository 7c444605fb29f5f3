import { describe, expect, it } from "vitest";
import type { Passage } from "@genq/core";
import { expectedAnswer, spanShape } from "./answer-shape.ts";
import { isTermLine, sentenceCandidates, termCandidates } from "./candidates.ts";
import { createExtractiveGenerator, createExtractiveReader } from "./extractive-reader.ts";
import {
  applyIsotonic,
  fitIsotonic,
  fitLogistic,
  fitSoftmaxRanker,
  minimizeLbfgs,
  sigmoid,
  dot,
  softmax,
} from "./learn.ts";
import { analyzeQuestion } from "./question.ts";

const passage = (id: string, title: string, text: string): Passage => ({
  id,
  corpus: "c",
  documentId: `${id}.html`,
  sourcePath: `${id}.html`,
  title,
  text,
  ordinal: 0,
});
const passages = [
  passage(
    "intro",
    "11.1. Introduction",
    "To remove an index, use the DROP INDEX command. Indexes can be added to and removed from tables at any time.",
  ),
  passage(
    "types",
    "11.2. Index Types",
    "By default, the CREATE INDEX command creates B-tree indexes, which fit the most common situations. Hash indexes store a 32-bit hash code derived from the value of the indexed column.",
  ),
  passage(
    "multi",
    "11.3. Multicolumn Indexes",
    "Indexes can have up to 32 columns, including INCLUDE columns. Multicolumn indexes should be used sparingly.",
  ),
];

describe("question analysis", () => {
  it.each([
    ["Who can install PostgreSQL?", "person"],
    ["Since which version is PL/pgSQL installed by default?", "time"],
    ["When is a check constraint satisfied?", "condition"],
    ["How many columns can an index have?", "number"],
    ["Which command removes an index?", "code"],
    ["Which utility program dumps a database?", "code"],
    ["Why is rsync --checksum necessary?", "reason"],
    ["How do I create a view?", "method"],
    ["What is a relation?", "definition"],
    ["What does LSN stand for?", "definition"],
    ["Which index types does PostgreSQL provide?", "entity"],
  ])("%s → %s", (question, kind) => {
    expect(analyzeQuestion(question).kind).toBe(kind);
  });
});

describe("candidate spans", () => {
  it("offers code, amounts and noun phrases inside a sentence, with offsets into the text", () => {
    const text = "Indexes can have up to 32 columns, including INCLUDE columns. Use the pg_dumpall program.";
    const spans = sentenceCandidates(text, 0, text.length).map((c) => `${c.cls}:${text.slice(c.start, c.end)}`);
    expect(spans).toEqual(
      expect.arrayContaining(["number:up to 32 columns", "code:INCLUDE", "code:pg_dumpall", "sentence:" + text]),
    );
  });
});

describe("term lines of reference documentation", () => {
  it("recognises signatures and short labels, not prose or captions", () => {
    expect(isTermLine("array_ndims ( anyarray ) → integer")).toBe(true);
    expect(isTermLine("anyarray && anyarray → boolean")).toBe(true);
    expect(isTermLine("TG_OP")).toBe(true);
    expect(isTermLine("Returns the number of dimensions of the array.")).toBe(false);
    expect(isTermLine("Table 9.52. Array Operators")).toBe(false);
    expect(isTermLine("|")).toBe(false);
  });

  it("offers a signature's function name or operator, or a label whole", () => {
    const spans = (line: string) => termCandidates(line, 0, line.length).map((c) => line.slice(c.start, c.end));
    expect(spans("pg_ls_waldir () → setof record")).toEqual(["pg_ls_waldir"]);
    expect(spans("json ->> text → text")).toEqual(["->>"]);
    expect(spans("!! tsquery → tsquery")).toEqual(["!!"]);
    expect(spans("isodow")).toEqual(["isodow"]);
  });

  it("drops cross-references as answers", () => {
    const text = "The operators are explained in Section 9.11 (see Table 8.6).";
    const spans = sentenceCandidates(text, 0, text.length).map((c) => text.slice(c.start, c.end));
    expect(spans).not.toContain("Section 9.11");
    expect(spans).not.toContain("see Table 8.6");
  });
});

describe("answer shapes", () => {
  it.each([
    ["Which function returns the number of dimensions of an array?", "function"],
    ["Which operator computes the distance between two objects?", "operator"],
    ["How much storage does a bigint take?", "number"],
    ["Since which version is PL/pgSQL installed by default?", "version"],
    ["What is a partial index?", "definition"],
    ["Which data type stores binary strings?", "datatype"],
  ])("%s expects a %s", (question, expected) => {
    expect(expectedAnswer(analyzeQuestion(question))).toBe(expected);
  });

  it.each([
    ["&&", "symbol"],
    ["8 bytes", "number"],
    ["pg_size_pretty", "identifier"],
    ["NULLS NOT DISTINCT", "keyword"],
    ["bytea", "lowerWord"],
    ["a sorted list of distinct lexemes", "phrase"],
  ])("%s is shaped as %s", (text, shape) => {
    expect(spanShape(text)).toBe(shape);
  });
});

describe("learners", () => {
  it("minimises a convex function with L-BFGS", () => {
    // f(w) = (w0 − 3)² + 10·(w1 + 1)² + w0·w1, minimum where 2(w0 − 3) + w1 = 0 and 20(w1 + 1) + w0 = 0.
    const w = minimizeLbfgs(
      (x, g) => {
        g[0] = 2 * (x[0]! - 3) + x[1]!;
        g[1] = 20 * (x[1]! + 1) + x[0]!;
        return (x[0]! - 3) ** 2 + 10 * (x[1]! + 1) ** 2 + x[0]! * x[1]!;
      },
      [0, 0],
    );
    expect(w[0]).toBeCloseTo(140 / 39, 4);
    expect(w[1]).toBeCloseTo(-46 / 39, 4);
  });

  it("fits a non-decreasing isotonic map whose steps are pulled toward the overall rate", () => {
    const map = fitIsotonic([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [0, 0, 1, 0, 0, 1, 1, 1]);
    const at = [0, 0.15, 0.35, 0.55, 0.75, 1].map((x) => applyIsotonic(map, x));
    for (let i = 1; i < at.length; i++) expect(at[i]).toBeGreaterThanOrEqual(at[i - 1]!);
    expect(at[0]).toBeGreaterThan(0);
    expect(at[at.length - 1]).toBeLessThan(1);
    expect(() => fitIsotonic([], [])).toThrow(/0 scores/);
  });

  it("fits a logistic regression that separates separable data", () => {
    const rows = [
      [1, 0],
      [1, 0.2],
      [1, 0.8],
      [1, 1],
    ];
    const w = fitLogistic(rows, [0, 0, 1, 1]);
    expect(sigmoid(dot(w, [1, 0.1]))).toBeLessThan(0.3);
    expect(sigmoid(dot(w, [1, 0.9]))).toBeGreaterThan(0.7);
    expect(() => fitLogistic([], [])).toThrow(/0 rows/);
  });

  it("fits a ranker whose softmax puts each group's mass on its positive", () => {
    const groups = [
      {
        rows: [
          [1, 0],
          [0, 1],
        ],
        positive: [true, false],
      },
      {
        rows: [
          [0.9, 0.2],
          [0.1, 0.8],
          [0.2, 0.1],
        ],
        positive: [true, false, false],
      },
    ];
    const w = fitSoftmaxRanker(groups);
    for (const g of groups) expect(softmax(g.rows.map((x) => dot(w, x)))[0]).toBeGreaterThan(0.5);
    expect(() => fitSoftmaxRanker([{ rows: [[1]], positive: [false] }])).toThrow(/no group has a positive/);
  });
});

describe("the embedded extractive reader", () => {
  const reader = createExtractiveReader();

  it("answers with the span that answers, not the whole sentence, with a score in [0, 1] and the question type", async () => {
    const result = await reader.read("Which command removes an index?", passages, 3);
    expect(result.noAnswer).toBe(false);
    const [best] = result.answers;
    expect(best!.text).toBe("DROP INDEX");
    expect(passages.find((p) => p.id === best!.passageId)!.text.slice(best!.start, best!.end)).toBe(best!.text);
    expect(best!.score).toBeGreaterThanOrEqual(result.metadata.threshold!);
    expect(best!.score).toBeLessThanOrEqual(1);
    expect(result.metadata).toMatchObject({
      model: expect.stringMatching(/^genq-extractive-reader@\d+$/),
      questionType: "code",
    });
    expect(result.metadata.latencyMs).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < result.answers.length; i++)
      expect(result.answers[i]!.score).toBeLessThanOrEqual(result.answers[i - 1]!.score);
  });

  it("answers from a function table with the name on the line above the description", async () => {
    const table = passage(
      "arrays",
      "9.19. Array Functions and Operators",
      "|\narray_length ( anyarray, integer ) → integer\n\nReturns the length of the requested array dimension.\n\n|\narray_ndims ( anyarray ) → integer\n\nReturns the number of dimensions of the array.\n\n|\ncardinality ( anyarray ) → integer\n\nReturns the total number of elements in the array, or 0 if the array is empty.",
    );
    const result = await reader.read("Which function returns the number of dimensions of an array?", [table], 1);
    expect(result.answers[0]?.text ?? result.bestGuess?.text).toBe("array_ndims");
  });

  it("abstains when the passages do not answer, keeping its best guess apart", async () => {
    const result = await reader.read("Who painted the Mona Lisa in Florence?", passages, 3);
    expect(result).toMatchObject({ noAnswer: true, answers: [] });
    if (result.bestGuess) expect(result.bestGuess.score).toBeLessThan(result.metadata.threshold!);
    const none = await reader.read("Which command removes an index?", [], 3);
    expect(none).toMatchObject({ noAnswer: true, answers: [], bestGuess: null });
  });

  it("abstains at any score when asked for a threshold above 1, and answers everything at 0", async () => {
    expect(
      (await createExtractiveReader({ threshold: 1.01 }).read("Which command removes an index?", passages, 3)).noAnswer,
    ).toBe(true);
    expect(
      (await createExtractiveReader({ threshold: 0 }).read("Who wrote the DROP INDEX command?", passages, 3)).noAnswer,
    ).toBe(false);
  });
});

describe("the embedded extractive generator", () => {
  const generator = createExtractiveGenerator();

  it("answers with cited sentences holding the answer", async () => {
    const result = await generator.answer("Which command removes an index?", passages);
    expect(result.noAnswer).toBe(false);
    expect(result.sentences[0]!.text).toBe("To remove an index, use the DROP INDEX command.");
    for (const s of result.sentences) {
      const cited = passages.find((p) => p.id === s.citations[0]!.passageId)!;
      expect(cited.text.slice(s.citations[0]!.start, s.citations[0]!.end)).toBe(s.text);
    }
    expect(result.answer.startsWith(result.sentences[0]!.text)).toBe(true);
  });

  it("says the passages do not contain the answer instead of gluing sentences together", async () => {
    const result = await generator.answer("What is the capital of France?", passages);
    expect(result).toMatchObject({ noAnswer: true, answer: "", sentences: [] });
    expect(result.reason).toMatch(/none of the 3 retrieved passages answers the question/);
  });
});
