import { describe, expect, it } from "vitest";
import type { Passage } from "@genq/core";
import { sentenceCandidates } from "./candidates.ts";
import { createExtractiveGenerator, createExtractiveReader } from "./extractive-reader.ts";
import { fitLogistic, fitSoftmaxRanker, sigmoid, dot, softmax } from "./learn.ts";
import { analyzeQuestion } from "./question.ts";

const passage = (id: string, title: string, text: string): Passage => ({ id, corpus: "c", documentId: `${id}.html`, sourcePath: `${id}.html`, title, text, ordinal: 0 });
const passages = [
  passage("intro", "11.1. Introduction", "To remove an index, use the DROP INDEX command. Indexes can be added to and removed from tables at any time."),
  passage("types", "11.2. Index Types", "By default, the CREATE INDEX command creates B-tree indexes, which fit the most common situations. Hash indexes store a 32-bit hash code derived from the value of the indexed column."),
  passage("multi", "11.3. Multicolumn Indexes", "Indexes can have up to 32 columns, including INCLUDE columns. Multicolumn indexes should be used sparingly."),
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
    expect(spans).toEqual(expect.arrayContaining(["number:up to 32 columns", "code:INCLUDE", "code:pg_dumpall", "sentence:" + text]));
  });
});

describe("learners", () => {
  it("fits a logistic regression that separates separable data", () => {
    const rows = [[1, 0], [1, 0.2], [1, 0.8], [1, 1]];
    const w = fitLogistic(rows, [0, 0, 1, 1]);
    expect(sigmoid(dot(w, [1, 0.1]))).toBeLessThan(0.3);
    expect(sigmoid(dot(w, [1, 0.9]))).toBeGreaterThan(0.7);
    expect(() => fitLogistic([], [])).toThrow(/0 rows/);
  });

  it("fits a ranker whose softmax puts each group's mass on its positive", () => {
    const groups = [
      { rows: [[1, 0], [0, 1]], positive: [true, false] },
      { rows: [[0.9, 0.2], [0.1, 0.8], [0.2, 0.1]], positive: [true, false, false] },
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
    expect(result.metadata).toMatchObject({ model: expect.stringMatching(/^genq-extractive-reader@\d+$/), questionType: "code" });
    expect(result.metadata.latencyMs).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < result.answers.length; i++) expect(result.answers[i]!.score).toBeLessThanOrEqual(result.answers[i - 1]!.score);
  });

  it("abstains when the passages do not answer, keeping its best guess apart", async () => {
    const result = await reader.read("Who painted the Mona Lisa in Florence?", passages, 3);
    expect(result).toMatchObject({ noAnswer: true, answers: [] });
    if (result.bestGuess) expect(result.bestGuess.score).toBeLessThan(result.metadata.threshold!);
    const none = await reader.read("Which command removes an index?", [], 3);
    expect(none).toMatchObject({ noAnswer: true, answers: [], bestGuess: null });
  });

  it("abstains at any score when asked for a threshold above 1, and answers everything at 0", async () => {
    expect((await createExtractiveReader({ threshold: 1.01 }).read("Which command removes an index?", passages, 3)).noAnswer).toBe(true);
    expect((await createExtractiveReader({ threshold: 0 }).read("Who wrote the DROP INDEX command?", passages, 3)).noAnswer).toBe(false);
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
