import { CorruptArtifactError, isHeldOut, keys, toJsonLines, type BlobStore, type GeneratedQueries, type Passage, type QueryPair, type SearchIndex } from "@genq/core";

/**
 * Parse a finished query-generation transform: with JoinSource=Input every output line is the input
 * line (`{"passageId", "inputs", ...}`) plus `SageMakerOutput`, the model's generations. Writes the
 * run's training pairs (`{"query", "passage", "passageId"}` — train.py reads passage text) and its
 * held-out slice, and returns where they are (the caller completes the stage). Unreadable lines are
 * counted and skipped; a transform that produced nothing usable is a CorruptArtifactError.
 */
export async function collectTransformOutput(
  blobs: BlobStore,
  input: { corpus: string; runId: string; heldOutFraction: number; seed: number },
): Promise<GeneratedQueries> {
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
  if (!train.length) throw new CorruptArtifactError(`query generation produced no usable pairs (${bad} unreadable lines under ${prefix})`);
  const pairsKey = keys.pairs(input.corpus, input.runId);
  const heldoutKey = keys.heldout(input.corpus, input.runId);
  await blobs.put(pairsKey, toJsonLines(train));
  await blobs.put(heldoutKey, toJsonLines(heldout));
  return { pairsKey, heldoutKey, pairs: train.length, heldout: heldout.length };
}

/**
 * Read a finished embedding transform (`embed-output/`: each line the input plus `SageMakerOutput`
 * `{"embeddings": [[...]]}`) and upsert the vectors with their passages into the index version, in
 * batches. Returns how many passages were indexed; a line without a vector of the expected size fails.
 */
export async function indexEmbeddingOutput(
  blobs: BlobStore,
  index: SearchIndex,
  input: { corpus: string; runId: string; version: string; dimensions: number; passages: ReadonlyMap<string, Passage> },
): Promise<number> {
  const prefix = `${keys.run(input.corpus, input.runId)}embed-output/`;
  let batch: Array<{ passage: Passage; vector: Float32Array }> = [];
  let count = 0;
  const flush = async () => {
    if (batch.length) await index.upsert(input.version, batch);
    count += batch.length;
    batch = [];
  };
  for (const obj of await blobs.list(prefix)) {
    for (const line of new TextDecoder().decode(await blobs.get(obj.key)).split("\n")) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as { passageId?: string; SageMakerOutput?: { embeddings?: number[][] } };
      const passage = row.passageId ? input.passages.get(row.passageId) : undefined;
      const vector = row.SageMakerOutput?.embeddings?.[0];
      if (!passage || !vector || vector.length !== input.dimensions) throw new CorruptArtifactError(`embedding output line for "${row.passageId ?? "?"}" is unusable (unknown passage or not a ${input.dimensions}-dimensional vector)`);
      batch.push({ passage, vector: Float32Array.from(vector) });
      if (batch.length === 200) await flush();
    }
  }
  await flush();
  return count;
}
