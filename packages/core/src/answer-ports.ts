import type { Passage } from "./domain.ts";

/**
 * The answer ports: an extractive reader that finds spans (or abstains) and a generator that composes a
 * cited answer from passages, with what their answers carry.
 */

/** An answer span inside a passage (character offsets into passage.text). */
export interface AnswerSpan {
  passageId: string;
  start: number;
  end: number;
  text: string;
  /**
   * Confidence in [0, 1]. For the embedded reader it is calibrated: among answers scored near s, about
   * a fraction s contain a right answer (fitted on a development set; see BENCHMARKS.md).
   */
  score: number;
}

/** Tokens a model read and wrote for one answer (what a hosted model bills). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** How an answer was produced: by what, with which prompt, how long it took and what it consumed. */
export interface AnswerMetadata {
  /** The reader or model that answered, e.g. "genq-extractive-reader@2" or "bedrock:amazon.nova-lite-v1:0". */
  model: string;
  /** The versioned prompt a generative model was given (prompts/), when there was one. */
  promptVersion?: string;
  /** Wall time of the reader or model call in milliseconds (the model's own figure where it reports one). */
  latencyMs: number;
  usage?: TokenUsage;
  /** The kind of answer the question asks for (who, when, how many, which command…), where the reader tells. */
  questionType?: string;
  /** Scores below this mean "no answer", where the reader abstains by threshold. */
  threshold?: number;
}

/** What a reader found: answer spans, or an abstention when the passages do not answer. */
export interface ReaderResult {
  /** Spans whose score reaches the threshold, best first; empty when the reader abstains. */
  answers: AnswerSpan[];
  /** True when no span is good enough: the passages most likely do not answer the question. */
  noAnswer: boolean;
  /** The best span that fell short of the threshold, for callers that want to show a guess; null if none. */
  bestGuess: AnswerSpan | null;
  metadata: AnswerMetadata;
}

/**
 * Extractive QA: finds the spans of the given passages that answer a question, at most `topK`, or
 * abstains (`noAnswer`) when none does — SQuAD 2.0 style.
 */
export interface Reader {
  read(question: string, passages: readonly Passage[], topK: number): Promise<ReaderResult>;
}

/** A passage span that supports a sentence of a generated answer. */
export interface Citation {
  passageId: string;
  start: number;
  end: number;
}

/** A composed answer: every sentence cites passage spans; or an abstention with its reason. */
export interface GeneratedAnswer {
  /** The answer text (the sentences joined); empty when `noAnswer`. */
  answer: string;
  sentences: Array<{ text: string; citations: Citation[] }>;
  /** True when the passages do not contain the answer; `answer` is then empty and `reason` says why. */
  noAnswer: boolean;
  reason?: string;
  /** Confidence in [0, 1] where the generator has one (the embedded one reuses the reader's calibrated score). */
  score?: number;
  metadata: AnswerMetadata;
}

/**
 * RAG: composes an answer to a question only from the given passages, citing passage spans for every
 * sentence, or says that the passages do not contain the answer.
 */
export interface Generator {
  answer(question: string, passages: readonly Passage[]): Promise<GeneratedAnswer>;
}
