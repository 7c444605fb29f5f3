import type { Passage } from "../domain.ts";
import { ValidationError } from "../errors.ts";
import type {
  AnswerSpan,
  GeneratedAnswer,
  Generator,
  Reader,
  ReaderResult,
  SearchFilter,
  SearchMode,
} from "../ports.ts";
import { searchCorpus, type SearchDeps } from "./search-corpus.ts";

export const ANSWER_LIMITS = { maxAnswers: 20, maxPassages: 50 } as const;

export interface QaInput {
  tenant: string;
  corpus: string;
  question: string;
  /** Answer spans wanted at most. */
  k: number;
  /** Passages retrieved and read. */
  passages: number;
  mode?: SearchMode;
  filter?: SearchFilter;
}

export type QaAnswer = AnswerSpan & { passage: Passage };

export interface QaResult extends Omit<ReaderResult, "answers" | "bestGuess"> {
  answers: QaAnswer[];
  bestGuess: QaAnswer | null;
}

const checkCount = (name: string, value: number, max: number) => {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new ValidationError(`${name}: must be an integer from 1 to ${max}`);
};

/**
 * Extractive QA: retrieve the corpus's best passages for the question, then let the reader find the
 * spans that answer it — or abstain (`noAnswer`) when none is good enough, as happens when the corpus
 * does not contain the answer. Every answer carries the passage its offsets point into.
 */
export async function answerQuestion(deps: SearchDeps & { reader: Reader }, input: QaInput): Promise<QaResult> {
  checkCount("k", input.k, ANSWER_LIMITS.maxAnswers);
  checkCount("passages", input.passages, ANSWER_LIMITS.maxPassages);
  const hits = await searchCorpus(deps, {
    tenant: input.tenant,
    corpus: input.corpus,
    query: input.question,
    k: input.passages,
    mode: input.mode ?? "hybrid",
    filter: input.filter,
  });
  const passages = hits.map((h) => h.passage);
  const result = await deps.reader.read(input.question, passages, input.k);
  const byId = new Map(passages.map((p) => [p.id, p]));
  const withPassage = (a: AnswerSpan): QaAnswer | null => {
    const passage = byId.get(a.passageId);
    return passage ? { ...a, passage } : null;
  };
  const answers = result.answers.map(withPassage).filter((a): a is QaAnswer => a !== null);
  return {
    ...result,
    answers,
    noAnswer: answers.length === 0,
    bestGuess: result.bestGuess ? withPassage(result.bestGuess) : null,
  };
}

/**
 * RAG: retrieve the corpus's best passages, then let the generator compose an answer from them alone,
 * every sentence citing passage spans — or say that the passages do not contain the answer.
 * Citations that point outside the retrieved passages are dropped, and so is a sentence left without one.
 */
export async function composeAnswer(
  deps: SearchDeps & { generator: Generator },
  input: Omit<QaInput, "k">,
): Promise<GeneratedAnswer & { passages: Passage[] }> {
  checkCount("passages", input.passages, ANSWER_LIMITS.maxPassages);
  const hits = await searchCorpus(deps, {
    tenant: input.tenant,
    corpus: input.corpus,
    query: input.question,
    k: input.passages,
    mode: input.mode ?? "hybrid",
    filter: input.filter,
  });
  const passages = hits.map((h) => h.passage);
  const result = await deps.generator.answer(input.question, passages);
  const byId = new Map(passages.map((p) => [p.id, p]));
  const sentences = result.sentences
    .map((s) => ({
      ...s,
      citations: s.citations.filter(
        (c) => byId.has(c.passageId) && c.start >= 0 && c.end <= byId.get(c.passageId)!.text.length && c.start < c.end,
      ),
    }))
    .filter((s) => s.citations.length > 0);
  if (result.noAnswer || !sentences.length) {
    return {
      ...result,
      answer: "",
      sentences: [],
      noAnswer: true,
      reason: result.reason ?? "the retrieved passages do not contain the answer",
      passages,
    };
  }
  return { ...result, sentences, answer: sentences.map((s) => s.text).join(" "), passages };
}
