import { isHeldOut, keys, toJsonLines, type BlobStore, type EventInput, type QueryPair } from "@genq/core";

/**
 * Parse a finished query-generation transform: with JoinSource=Input every output line is the input
 * line (`{"passageId", "inputs", ...}`) plus `SageMakerOutput`, the model's generations. Writes the
 * run's training pairs (`{"query", "passage", "passageId"}` — train.py reads passage text) and its
 * held-out slice, and returns the `queries.generated` event to publish. Unreadable lines are counted
 * and skipped; a transform that produced nothing usable is an error.
 */
export async function collectTransformOutput(
  blobs: BlobStore,
  input: { corpus: string; runId: string; heldOutFraction: number; seed: number },
): Promise<EventInput & { id: string }> {
  const prefix = `${keys.run(input.corpus, input.runId)}transform-output/`;
  const train: Array<QueryPair & { passage: string }> = [];
  const heldout: QueryPair[] = [];
  let bad = 0;
  for (const obj of await blobs.list(prefix)) {
    for (const line of new TextDecoder().decode(await blobs.get(obj.key)).split("\n")) {
      if (!line.trim()) continue;
      try {
        const row = JSON.parse(line) as { passageId?: string; inputs?: string; SageMakerOutput?: Array<{ generated_text?: string }> | { generated_text?: string } };
        const outputs = Array.isArray(row.SageMakerOutput) ? row.SageMakerOutput : row.SageMakerOutput ? [row.SageMakerOutput] : [];
        if (!row.passageId || !row.inputs || !outputs.length) throw new Error("incomplete line");
        const queries = [...new Set(outputs.map((o) => o.generated_text?.trim()).filter((q): q is string => Boolean(q)))];
        for (const query of queries) {
          if (isHeldOut(row.passageId, input.heldOutFraction, input.seed)) heldout.push({ query, passageId: row.passageId, kind: "t5" });
          else train.push({ query, passageId: row.passageId, kind: "t5", passage: row.inputs });
        }
      } catch {
        bad++;
      }
    }
  }
  if (!train.length) throw new Error(`query generation produced no usable pairs (${bad} unreadable lines under ${prefix})`);
  const pairsKey = keys.pairs(input.corpus, input.runId);
  const heldoutKey = keys.heldout(input.corpus, input.runId);
  await blobs.put(pairsKey, toJsonLines(train));
  await blobs.put(heldoutKey, toJsonLines(heldout));
  return { id: `queries.generated:${input.runId}`, type: "queries.generated", corpus: input.corpus, detail: { runId: input.runId, pairsKey, heldoutKey, pairs: train.length } };
}
