import { splitSentences, type Passage } from "@genq/core";
import { stem, STOPWORDS, words } from "../text/tokenize.ts";
import { isTermLine, sentenceCandidates, termCandidates, type SpanCandidate, type SpanClass } from "./candidates.ts";
import { analyzeQuestion, type AnswerKind, type QuestionAnalysis } from "./question.ts";
import { expectedAnswer, SHAPE_FEATURES, shapeFeatures, spanShape, type ExpectedAnswer } from "./answer-shape.ts";

/** The features the span ranker weighs, in order (the first is a constant). */
export const SPAN_FEATURES = [
  "bias",
  "sentenceCoverage",
  "contextCoverage",
  "passageCoverage",
  "rank",
  "typeFit",
  "nextToFocus",
  "restatesQuestion",
  "restatesQuestionAsCode",
  "nearQuestionTerms",
  "length",
  "wholeSentence",
  "bestSentence",
  "acronym",
  "namesFocus",
  "tableColumn",
  "termLine",
  "headingLead",
  "definesSubject",
  "rowKey",
  "restatedOnly",
  "leftWindow",
  "rightWindow",
  "bigrams",
  "contextMissing",
  ...SHAPE_FEATURES,
] as const;

/** How well a span shape suits a kind of question (0–1); a whole sentence is the weak fallback everywhere. */
const TYPE_FIT: Record<AnswerKind, Partial<Record<SpanClass, number>>> = {
  person: { agent: 1, predicate: 1, phrase: 0.5, named: 0.5 },
  time: { time: 1, number: 0.5, condition: 0.25 },
  number: { number: 1, cell: 0.5, time: 0.5 },
  code: { code: 1, list: 1, codeline: 1, named: 0.75, phrase: 0.5, cell: 0.5, term: 1 },
  definition: { predicate: 1, parenthetical: 1, named: 1, phrase: 0.5 },
  reason: { reason: 1, predicate: 0.25, condition: 0.25 },
  method: { codeline: 1, agent: 1, code: 0.5, predicate: 0.5, list: 0.5 },
  place: { phrase: 0.75, code: 0.5, named: 0.5, predicate: 0.5 },
  condition: { condition: 1, predicate: 0.25 },
  entity: {
    phrase: 1,
    code: 1,
    named: 1,
    list: 0.75,
    predicate: 0.75,
    cell: 0.5,
    number: 0.5,
    parenthetical: 0.5,
    term: 0.75,
  },
};

export interface SpanCandidateFeatures {
  passageIndex: number;
  start: number;
  end: number;
  cls: SpanClass;
  sentence: { start: number; end: number };
  features: number[];
}

export interface QuestionEvidence {
  analysis: QuestionAnalysis;
  /** What the answer is expected to look like (from the question's kind and focus). */
  expected: ExpectedAnswer;
  candidates: SpanCandidateFeatures[];
  /** Share of the question's weight whose terms occur anywhere in the passages or their titles. */
  foundInPassages: number;
  /** The weight share of the most important question term that occurs nowhere in the passages. */
  missingTerm: number;
}

const stemsOf = (text: string) =>
  words(text)
    .filter((w) => !STOPWORDS.has(w))
    .map(stem);

/** Candidate sentences examined per question: the best by question coverage. */
const SENTENCES_PER_QUESTION = 8;
/** Words either side of a span whose question terms count toward its window features. */
const WINDOW = 8;
/** How many sentences back a description may start below the term line it describes. */
const TERM_LOOKBACK = 3;

/**
 * Everything the reader knows about a question against its passages: the question's kind, focus and
 * expected answer, every candidate span in the sentences that cover the question best (and the name on
 * the term line such a sentence describes), each with its span features, and how much of the question
 * the passages cover at all. Term weights are inverse sentence frequencies within the given passages, so
 * a question word no passage contains weighs most.
 */
export function questionEvidence(question: string, passages: readonly Passage[]): QuestionEvidence {
  const analysis = analyzeQuestion(question);
  const q = analysis.terms;
  const sentences = passages.map((p) =>
    splitSentences(p.text).map((s) => {
      const seq = stemsOf(p.text.slice(s.start, s.end));
      return { ...s, seq, terms: new Set(seq), header: [] as Array<Set<string>> };
    }),
  );
  // Word pairs of the question in order ("size … bytes"): a sentence that keeps them together says what the question says.
  const qSeq = stemsOf(question);
  const qPairs = new Set(qSeq.slice(1).map((t, i) => `${qSeq[i]} ${t}`));
  const pairCoverage = (seq: readonly string[]) => {
    if (!qPairs.size) return 0;
    const found = new Set<string>();
    for (let i = 0; i < seq.length; i++)
      for (let j = i + 1; j <= i + 2 && j < seq.length; j++)
        if (qPairs.has(`${seq[i]} ${seq[j]}`)) found.add(`${seq[i]} ${seq[j]}`);
    return found.size / qPairs.size;
  };
  // A table row also says what its header says: "money | 8 bytes" answers "how much storage" under "Storage Size".
  sentences.forEach((ss, pi) => {
    let header: Array<Set<string>> = [];
    for (const s of ss) {
      const row = passages[pi]!.text.slice(s.start, s.end);
      if (!row.includes(" | ")) {
        header = [];
        continue;
      }
      if (!header.length) header = row.split(" | ").map((cell) => new Set(stemsOf(cell)));
      else {
        s.header = header;
        for (const cell of header) for (const t of cell) s.terms.add(t);
      }
    }
  });
  const titles = passages.map((p) => new Set(stemsOf(p.title)));
  // The innermost heading: a section's first sentence often defines what the heading names.
  const headings = passages.map((p) => new Set(stemsOf(p.title.split("›").pop() ?? "")));
  const total = sentences.reduce((n, ss) => n + ss.length, 0);
  const df = new Map<string, number>();
  for (const ss of sentences)
    for (const s of ss) for (const t of q) if (s.terms.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const weight = new Map(q.map((t) => [t, Math.log(1 + (total + 1) / ((df.get(t) ?? 0) + 0.5))]));
  const sum = [...weight.values()].reduce((a, b) => a + b, 0) || 1;
  const coverage = (has: (t: string) => boolean) => q.reduce((s, t) => s + (has(t) ? weight.get(t)! : 0), 0) / sum;

  const found = (t: string) => titles.some((ti) => ti.has(t)) || (df.get(t) ?? 0) > 0;
  const foundInPassages = coverage(found);
  const missingTerm = q.reduce((m, t) => (found(t) ? m : Math.max(m, weight.get(t)! / sum)), 0);

  const scored = sentences.flatMap((ss, pi) =>
    ss.map((s, si) => {
      const context = (t: string) =>
        s.terms.has(t) || titles[pi]!.has(t) || Boolean(ss[si - 1]?.terms.has(t)) || Boolean(ss[si + 1]?.terms.has(t));
      const sentence = coverage((t) => s.terms.has(t));
      const lead = si === 0 ? coverage((t) => headings[pi]!.has(t)) : 0;
      const bigrams = pairCoverage(s.seq);
      // The heaviest question term the sentence's context lacks: a passage about something else shares the other words.
      const missing = q.reduce((m, t) => (context(t) ? m : Math.max(m, weight.get(t)! / sum)), 0);
      return {
        pi,
        si,
        sentence,
        lead,
        bigrams,
        missing,
        context: coverage(context),
        rankScore: sentence + 0.5 * coverage(context) + 0.05 / (1 + pi),
      };
    }),
  );
  const chosen = scored
    .filter((s) => s.context > 0)
    .sort((a, b) => b.rankScore - a.rankScore)
    .slice(0, SENTENCES_PER_QUESTION);
  const bestSentence = Math.max(0, ...chosen.map((c) => c.sentence));
  const focus = new Set(analysis.focus);
  const questionSet = new Set(q);
  const acronyms = (question.match(/\b[A-Z]{2,6}\b/g) ?? []).filter((a) => !["SQL", "WHAT", "HOW"].includes(a));

  const expected = expectedAnswer(analysis);
  const candidates: SpanCandidateFeatures[] = [];
  for (const c of chosen) {
    const p = passages[c.pi]!;
    const ss = sentences[c.pi]!;
    const s = ss[c.si]!;
    const passageCoverage = coverage((t) => titles[c.pi]!.has(t) || ss.some((x) => x.terms.has(t)));
    // Question-term and focus positions in the sentence, by word index.
    const tokens = [...p.text.slice(s.start, s.end).matchAll(/[\p{L}\p{N}_]+/gu)].map((m) => ({
      at: s.start + m.index,
      end: s.start + m.index + m[0].length,
      stem: stem(m[0].toLowerCase()),
    }));
    const termAt = tokens.map((t) => questionSet.has(t.stem));
    const focusAt = tokens.map((t) => focus.has(t.stem));
    // The term line a description sits under ("array_ndims ( anyarray ) → integer" above "Returns the number
    // of dimensions of the array."): its name answers for the description.
    const spans: Array<SpanCandidate & { termDistance: number }> = sentenceCandidates(
      p.text,
      s.start,
      s.end,
      ss[c.si + 1],
    ).map((x) => ({ ...x, termDistance: 0 }));
    let termStart = s.start;
    if (!isTermLine(p.text.slice(s.start, s.end))) {
      for (let j = c.si - 1; j >= 0 && j >= c.si - TERM_LOOKBACK; j--) {
        const line = ss[j]!;
        const lineText = p.text.slice(line.start, line.end);
        if (lineText.trim() === "|" || !p.text.slice(line.end, ss[j + 1]!.start).includes("\n")) break;
        if (isTermLine(lineText)) {
          for (const t of termCandidates(p.text, line.start, line.end)) spans.push({ ...t, termDistance: c.si - j });
          termStart = line.start;
          break;
        }
      }
    }
    for (const span of spans) {
      const inside = tokens.map((t) => t.at >= span.start && t.end <= span.end);
      let first = inside.indexOf(true);
      let last = inside.lastIndexOf(true);
      // A term line stands just before its description's first word.
      if (span.termDistance) first = last = -1;
      const own = stemsOf(p.text.slice(span.start, span.end));
      const restates = own.length ? own.filter((t) => questionSet.has(t)).length / own.length : 0;
      // Question terms in the words just left and right of the span, weighted as in coverage (each term once).
      const window = (from: number, to: number) => {
        const seen = new Set<string>();
        for (let i = Math.max(0, from); i < Math.min(tokens.length, to); i++) if (termAt[i]) seen.add(tokens[i]!.stem);
        return coverage((t) => seen.has(t));
      };
      const leftWindow = span.termDistance ? 0 : first < 0 ? 0 : window(first - WINDOW, first);
      const rightWindow = span.termDistance ? window(0, WINDOW) : last < 0 ? 0 : window(last + 1, last + 1 + WINDOW);
      let nearest = Infinity;
      let nextToFocus = 0;
      tokens.forEach((_, i) => {
        if (inside[i] && !span.termDistance) return;
        const distance = span.termDistance ? i + 1 : first < 0 ? Infinity : i < first ? first - i : i - last;
        if (termAt[i]) nearest = Math.min(nearest, distance);
        if (focusAt[i] && distance <= 2) nextToFocus = 1;
      });
      const text = p.text.slice(span.start, span.end);
      // Only questions with an acronym need the span's initials ("Log Sequence Number" for LSN).
      const initials = acronyms.length
        ? text
            .split(/\s+/)
            .map((w) =>
              w
                .replace(/[^A-Za-z]/g, "")
                .replace(/^([A-Z]+)[a-z].*$/, "$1")
                .replace(/^([a-z]).*$/, "$1")
                .toUpperCase(),
            )
            .join("")
        : "";
      const isSentence = span.cls === "sentence" ? 1 : 0;
      const isCode = span.cls === "code" || span.cls === "list" || span.cls === "codeline" || span.cls === "term";
      // "the AS clause", "the lower function": the span names a thing and ends on the focus word.
      const spanWords = own.filter((t) => !STOPWORDS.has(t));
      const namesFocus =
        spanWords.length >= 2 &&
        focus.has(spanWords[spanWords.length - 1]!) &&
        !questionSet.has(spanWords[spanWords.length - 2]!)
          ? 1
          : 0;
      let tableColumn = 0;
      let rowKey = 0;
      if (span.cls === "cell" && s.header.length) {
        const before = p.text.slice(s.start, span.start).split(" | ");
        const header = s.header[before.length - 1];
        if (header && [...header].some((t) => questionSet.has(t))) tableColumn = 1;
        // The row's first cell names what the row is about: "date | 4 bytes" answers for "date".
        if (before.length > 1) {
          const key = new Set(stemsOf(before[0]!));
          rowKey = coverage((t) => key.has(t));
        }
      }
      // "A generated column is a special column…": the subject before the copula is what the question asks about.
      let definesSubject = 0;
      if (span.cls === "predicate") {
        const subject = p.text.slice(s.start, span.start);
        const subjectStems = new Set(stemsOf(subject));
        definesSubject = coverage((t) => subjectStems.has(t)) * (subject.split(/\s+/).length <= 7 ? 1 : 0.5);
      }
      candidates.push({
        passageIndex: c.pi,
        start: span.start,
        end: span.end,
        cls: span.cls,
        sentence: { start: span.termDistance ? termStart : s.start, end: s.end },
        features: [
          1,
          c.sentence,
          c.context,
          passageCoverage,
          1 / (1 + c.pi),
          TYPE_FIT[analysis.kind][span.cls] ?? (isSentence ? 0.25 : 0),
          nextToFocus,
          isCode ? 0 : restates,
          isCode ? restates : 0,
          Number.isFinite(nearest) ? 1 / (1 + nearest) : 0,
          Math.log1p(own.length || 1) / Math.log(50),
          isSentence,
          c.sentence === bestSentence ? 1 : 0,
          acronyms.some((a) => initials.length >= 2 && initials === a) ? 1 : 0,
          namesFocus,
          tableColumn,
          span.termDistance ? 1 / span.termDistance : 0,
          c.lead,
          definesSubject,
          rowKey,
          // The span only repeats the question ("previously-granted" for "a previously granted privilege").
          spanWords.length && spanWords.every((t) => questionSet.has(t)) ? 1 : 0,
          leftWindow,
          rightWindow,
          c.bigrams,
          c.missing,
          ...shapeFeatures(expected, spanShape(text)),
        ],
      });
    }
  }
  return { analysis, expected, candidates, foundInPassages, missingTerm };
}
