import winkNLP from "wink-nlp";
import model from "wink-eng-lite-web-model";

/** A word with its universal part-of-speech tag and character offsets into the tagged text. */
export interface TaggedWord {
  start: number;
  end: number;
  pos: string;
}

let nlp: ReturnType<typeof winkNLP> | undefined;
// Loading the model takes a few hundred milliseconds: only when the first question is read.
const instance = () => (nlp ??= winkNLP(model, ["sbd", "pos"]));

/**
 * Part-of-speech tags (wink-nlp's English model) with character offsets. Tokens the tagger splits but
 * the text writes without a space between them (`pg_dump`, `B-tree`, `9.0`) are glued back into one
 * word tagged PROPN: in documentation they are names of things.
 */
export function tagWords(text: string): TaggedWord[] {
  const tokens = instance().readDoc(text).tokens();
  const values = tokens.out() as string[];
  const tags = tokens.out(instance().its.pos) as string[];
  const out: TaggedWord[] = [];
  let cursor = 0;
  values.forEach((value, i) => {
    const at = text.indexOf(value, cursor);
    if (at < 0 || at - cursor > 40) return;
    const pos = tags[i] ?? "X";
    const previous = out[out.length - 1];
    const glued = previous && at === previous.end && pos !== "PUNCT" && previous.pos !== "PUNCT";
    const joiner =
      previous &&
      at === previous.end &&
      /^[-_./]$/.test(value) &&
      i + 1 < values.length &&
      text.startsWith(values[i + 1]!, at + 1);
    if (previous && (glued || joiner || (previous.pos === "JOIN" && at === previous.end))) {
      previous.end = at + value.length;
      previous.pos = joiner ? "JOIN" : "PROPN";
    } else {
      out.push({ start: at, end: at + value.length, pos: joiner ? "JOIN" : pos });
    }
    cursor = at + value.length;
  });
  for (const w of out) if (w.pos === "JOIN") w.pos = "PROPN";
  return out;
}

const NOMINAL = new Set(["NOUN", "PROPN", "NUM", "X", "SYM"]);
const MODIFIER = new Set(["ADJ", "NOUN", "PROPN", "NUM", "X"]);
const POSSESSIVE = /^(?:my|your|its|their|our|his|her)$/i;

/**
 * Noun phrases of `text` (offsets into it): an optional determiner or possessive, then modifiers
 * (adjectives, nouns, numbers, and participles such as "generated" before a noun), ending on a noun or
 * name; each phrase is also offered extended by one "of" phrase ("the start time of the current statement").
 */
export function nounPhrases(
  text: string,
  words: readonly TaggedWord[] = tagWords(text),
): Array<{ start: number; end: number }> {
  const word = (i: number) => text.slice(words[i]!.start, words[i]!.end);
  const base: Array<{ first: number; last: number }> = [];
  let i = 0;
  while (i < words.length) {
    let j = i;
    if (words[j]!.pos === "DET" || (words[j]!.pos === "PRON" && POSSESSIVE.test(word(j)))) j++;
    const bodyStart = j;
    while (
      j < words.length &&
      (MODIFIER.has(words[j]!.pos) ||
        (words[j]!.pos === "VERB" && j + 1 < words.length && NOMINAL.has(words[j + 1]!.pos)))
    )
      j++;
    let last = j - 1;
    while (last >= bodyStart && !NOMINAL.has(words[last]!.pos)) last--;
    if (last >= bodyStart) {
      base.push({ first: i, last });
      i = last + 1;
    } else {
      i = Math.max(i + 1, j);
    }
  }
  const out = base.map((p) => ({ start: words[p.first]!.start, end: words[p.last]!.end }));
  for (let k = 0; k + 1 < base.length; k++) {
    const between = base[k]!.last + 1;
    if (base[k + 1]!.first === between + 1 && word(between).toLowerCase() === "of")
      out.push({ start: words[base[k]!.first]!.start, end: words[base[k + 1]!.last]!.end });
  }
  return out;
}
