/**
 * The QA benchmark's question sets (bench/qa/*.jsonl): loading, validation against the shipped examples,
 * gold spans located in the pipeline's passages, and SQuAD-style scoring (exact match, token F1).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Passage } from "@genq/core";

export const QA_DIR = join(import.meta.dirname, "../qa");
export const EXAMPLES_DIR = join(import.meta.dirname, "../../examples/postgresql-docs");

export type QaSplit = "dev" | "test";

export interface QaItem {
  id: string;
  question: string;
  /** The author's label of what kind of answer the question asks for (used for per-type reporting only). */
  type: string;
  /** Source file of the answer; absent for unanswerable questions. */
  document?: string;
  /** Acceptable answers, the first as written in the evidence; empty when the corpus does not answer. */
  answers: string[];
  /** A verbatim excerpt of the document that contains the first answer. */
  evidence?: string;
  /** Why the corpus does not answer (unanswerable questions only). */
  why?: string;
}

/** An answerable question's gold span: the passage that holds the evidence and the answer's offsets in it. */
export interface GoldSpan {
  passageId: string;
  start: number;
  end: number;
}

/**
 * The split a page of the examples belongs to: the pages alternate in file order, test first (the 1st, 3rd,
 * 5th… page are test pages, the 2nd, 4th… development pages), so no page serves both sets.
 */
export function splitOfDocument(document: string, pages: readonly string[] = examplePages()): QaSplit {
  const at = pages.indexOf(document);
  if (at < 0) throw new Error(`${document} is not a page of the examples`);
  return at % 2 === 0 ? "test" : "dev";
}

let pageList: string[] | undefined;
const examplePages = () =>
  (pageList ??= readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith(".html"))
    .sort());

/**
 * Load a split's questions, refusing malformed lines, answerable questions without their evidence, and any
 * question whose page belongs to the other split (so a test page never leaks into development).
 */
export function loadQaSplit(split: QaSplit): QaItem[] {
  const ids = new Set<string>();
  return readFileSync(join(QA_DIR, `${split}.jsonl`), "utf8")
    .trim()
    .split("\n")
    .map((line, i) => {
      const item = JSON.parse(line) as QaItem;
      const where = `${split}.jsonl line ${i + 1}`;
      if (!item.id || !item.question || !Array.isArray(item.answers))
        throw new Error(`${where}: id, question and answers are required`);
      if (ids.has(item.id)) throw new Error(`${where}: duplicate id ${item.id}`);
      ids.add(item.id);
      if (item.answers.length && (!item.document || !item.evidence))
        throw new Error(`${where}: an answerable question needs document and evidence`);
      if (!item.answers.length && !item.why) throw new Error(`${where}: an unanswerable question needs why`);
      if (item.document && splitOfDocument(item.document) !== split)
        throw new Error(
          `${where}: ${item.document} is a ${splitOfDocument(item.document)} page; ${split} questions come from ${split} pages only`,
        );
      return item;
    });
}

/**
 * Find each answerable question's gold span in the passages: the passage of its document whose text
 * contains the evidence, and the first answer inside that evidence. Throws, naming every question whose
 * evidence or answer cannot be found, so a stale set never scores silently.
 */
export function locateGold(items: readonly QaItem[], passages: readonly Passage[]): Map<string, GoldSpan> {
  const byDoc = new Map<string, Passage[]>();
  for (const p of passages) byDoc.set(p.documentId, [...(byDoc.get(p.documentId) ?? []), p]);
  const gold = new Map<string, GoldSpan>();
  const problems: string[] = [];
  for (const item of items) {
    if (!item.answers.length) continue;
    const candidates = byDoc.get(item.document!) ?? [];
    const passage = candidates.find((p) => p.text.includes(item.evidence!));
    if (!passage) {
      problems.push(
        `${item.id}: evidence not found in one passage of ${item.document} (${candidates.length} passages)`,
      );
      continue;
    }
    const at = passage.text.indexOf(item.evidence!);
    const inEvidence = item.evidence!.indexOf(item.answers[0]!);
    if (inEvidence < 0) {
      problems.push(`${item.id}: the first answer is not inside its evidence`);
      continue;
    }
    gold.set(item.id, {
      passageId: passage.id,
      start: at + inEvidence,
      end: at + inEvidence + item.answers[0]!.length,
    });
  }
  if (problems.length) throw new Error(`QA set does not match the passages:\n  ${problems.join("\n  ")}`);
  return gold;
}

/** SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalizeAnswer(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, "")
    .replace(/\b(a|an|the)\b/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .join(" ");
}

export const exactMatch = (prediction: string, answers: readonly string[]) =>
  answers.some((a) => normalizeAnswer(a) === normalizeAnswer(prediction)) ? 1 : 0;

/** SQuAD's token F1, the best over the acceptable answers. */
export function tokenF1(prediction: string, answers: readonly string[]): number {
  const p = normalizeAnswer(prediction).split(" ").filter(Boolean);
  let best = 0;
  for (const answer of answers) {
    const g = normalizeAnswer(answer).split(" ").filter(Boolean);
    const counts = new Map<string, number>();
    for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
    let same = 0;
    for (const t of p) {
      const c = counts.get(t) ?? 0;
      if (c > 0) {
        same++;
        counts.set(t, c - 1);
      }
    }
    if (!same) continue;
    const precision = same / p.length;
    const recall = same / g.length;
    best = Math.max(best, (2 * precision * recall) / (precision + recall));
  }
  return best;
}

/**
 * Whether a predicted span overlaps an answer: its character range in the cited passage intersects an
 * occurrence of any acceptable answer in that passage (so a span that covers part of a right answer
 * counts; a sentence that merely shares words with it does not).
 */
export function overlapsAnswer(
  prediction: { start: number; end: number },
  answers: readonly string[],
  passageText: string,
): boolean {
  for (const answer of answers) {
    if (!answer) continue;
    for (let at = passageText.indexOf(answer); at >= 0; at = passageText.indexOf(answer, at + 1)) {
      if (prediction.start < at + answer.length && at < prediction.end) return true;
    }
  }
  return false;
}
