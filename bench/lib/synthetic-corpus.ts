import type { Passage } from "@genq/core";
import { splitSentences } from "@genq/core";
import { createRng } from "@genq/ml";
import { loadDebfaq } from "./debfaq.ts";

/**
 * A corpus of `n` passages of realistic text for speed tests: each passage is 6–14 sentences drawn at
 * random (seeded) from debfaq's corpus, titled with a random section title.
 */
export function syntheticPassages(n: number, seed = 1): Passage[] {
  const { corpus } = loadDebfaq();
  const sentences: string[] = [];
  for (const d of corpus) for (const s of splitSentences(d.text)) sentences.push(d.text.slice(s.start, s.end));
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const count = 6 + rng.int(9);
    const text = Array.from({ length: count }, () => sentences[rng.int(sentences.length)]!).join(" ");
    const doc = corpus[rng.int(corpus.length)]!;
    return {
      id: `p${i}`,
      corpus: "bench",
      documentId: `doc-${Math.floor(i / 3)}`,
      sourcePath: "bench.jsonl",
      title: doc.title,
      text,
      ordinal: i % 3,
    };
  });
}
