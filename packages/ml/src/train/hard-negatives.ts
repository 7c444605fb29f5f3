import { passageText } from "@genq/core";
import { Bm25Index } from "../text/bm25.ts";
import type { TrainingExample } from "./trainer.ts";

/**
 * Give each example the passage BM25 ranks highest for its query that is not from the positive's
 * document (a passage of the same document could well be a true answer).
 */
export function mineHardNegatives(
  examples: TrainingExample[],
  passages: ReadonlyArray<{ documentId: string; title: string; text: string }>,
): void {
  const bm25 = new Bm25Index(passages.map(passageText));
  for (const e of examples) {
    const positiveDoc = passages[e.passageIndex]!.documentId;
    const negative = bm25.search(e.query, 10).find((h) => passages[h.index]!.documentId !== positiveDoc);
    if (negative) e.negativeIndex = negative.index;
  }
}
