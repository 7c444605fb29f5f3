import {
  CorruptArtifactError,
  Passage,
  isHeldOut,
  keys,
  type BlobStore,
  type GeneratedQueries,
  type IndexItem,
  type SearchIndex,
} from "@genq/core";
import { encodeLines, readLines } from "./json-lines.ts";
import { transformPaths } from "./transform-input.ts";

/**
 * The `.out` objects of a finished transform under `prefix`, in key order. SageMaker writes one per
 * input object, named after it with `.out` appended, and only for objects it processed whole
 * (TransformOutput.S3OutputPath in the SageMaker API reference).
 */
export async function transformOutputParts(blobs: BlobStore, prefix: string): Promise<string[]> {
  return (await blobs.list(prefix)).map((b) => b.key).filter((k) => k.endsWith(".out"));
}

const partName = (outputKey: string) =>
  outputKey
    .slice(outputKey.lastIndexOf("/") + 1)
    .replace(/\.out$/, "")
    .replace(/\.jsonl?$/, "");

/** The generated queries of one joined output line (a list of `{generated_text}`, nested once for list inputs). */
function generatedQueries(output: unknown): string[] {
  const items = Array.isArray(output) ? output.flat() : [output];
  const texts = items.map((o) =>
    o && typeof o === "object" ? (o as { generated_text?: unknown }).generated_text : undefined,
  );
  return [
    ...new Set(
      texts
        .filter((t): t is string => typeof t === "string")
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export interface QueryPartResult {
  /** Where the part's training pairs went (null when every passage of the part is held out). */
  pairsKey: string | null;
  pairs: number;
  /** Where the part's held-out queries went (null when none is held out). */
  heldoutKey: string | null;
  heldout: number;
  unreadable: number;
}

interface GeneratedLine {
  passageId: string;
  passage: string;
  queries: string[];
}

/** The usable lines of a joined query-generation output object, streamed; `onUnreadable` counts the rest. */
async function* generatedLines(blobs: BlobStore, key: string, onUnreadable: () => void): AsyncGenerator<GeneratedLine> {
  for await (const line of readLines(await blobs.getStream(key))) {
    let row: { passageId?: unknown; inputs?: unknown; SageMakerOutput?: unknown };
    try {
      row = JSON.parse(line);
    } catch {
      onUnreadable();
      continue;
    }
    const queries = generatedQueries(row.SageMakerOutput);
    if (typeof row.passageId !== "string" || typeof row.inputs !== "string" || !queries.length) {
      onUnreadable();
      continue;
    }
    yield { passageId: row.passageId, passage: row.inputs, queries };
  }
}

/** Stream `lines` into `key`; an empty result leaves no object behind. Returns how many lines were written. */
async function writeLines(blobs: BlobStore, key: string, lines: AsyncIterable<string>): Promise<number> {
  let count = 0;
  async function* counted() {
    for await (const line of lines) {
      count++;
      yield line;
    }
  }
  await blobs.putStream(key, encodeLines(counted()));
  if (!count) await blobs.delete(key);
  return count;
}

const heldoutPart = (corpus: string, runId: string, part: string) =>
  `${keys.run(corpus, runId)}heldout-parts/${part}.jsonl`;

/**
 * Read one `.out` object of the query-generation transform and write its training pairs to
 * `pairs/<part>.jsonl` (`{"query", "passage", "passageId", "kind"}`, the passage text being what the model
 * read) and its held-out queries to `heldout-parts/<part>.jsonl` (`{"query", "passageId", "kind"}`).
 * With JoinSource=Input and JSON input, SageMaker writes each input line with the model's answer added
 * under `SageMakerOutput` (DataProcessing.JoinSource in the SageMaker API reference); the stock container
 * answers a text2text request with `[{"generated_text": ...}, ...]`. The object is streamed twice (once
 * per output), so memory stays at one line whatever its size. Lines without a passage id, its text or
 * any query are counted as unreadable and skipped.
 */
export async function collectQueryGenerationPart(
  blobs: BlobStore,
  input: { corpus: string; runId: string; key: string; heldOutFraction: number; seed: number },
): Promise<QueryPartResult> {
  const part = partName(input.key);
  const held = (passageId: string) => isHeldOut(passageId, input.heldOutFraction, input.seed);
  let unreadable = 0;
  async function* select(heldOut: boolean) {
    for await (const g of generatedLines(blobs, input.key, () => heldOut || unreadable++)) {
      if (held(g.passageId) !== heldOut) continue;
      for (const query of g.queries)
        yield JSON.stringify(
          heldOut
            ? { query, passageId: g.passageId, kind: "t5" }
            : { query, passage: g.passage, passageId: g.passageId, kind: "t5" },
        );
    }
  }
  const pairsKey = keys.pairs(input.corpus, input.runId, part);
  const heldoutKey = heldoutPart(input.corpus, input.runId, part);
  const pairs = await writeLines(blobs, pairsKey, select(false));
  const heldout = await writeLines(blobs, heldoutKey, select(true));
  return { pairsKey: pairs ? pairsKey : null, pairs, heldoutKey: heldout ? heldoutKey : null, heldout, unreadable };
}

/**
 * Turn a finished query-generation transform into the run's training pairs (`pairs/<part>.jsonl`, one
 * per output part) and its held-out queries (`heldout.jsonl`), and return where they are (the caller
 * completes the stage; `pairsKey` is the first part, the trainer reads the whole `pairs/` folder).
 * Everything is streamed part by part, so no passage text or query list is held beyond a line. A
 * transform that produced no usable pair is a CorruptArtifactError naming how many lines could not be read.
 */
export async function collectTransformOutput(
  blobs: BlobStore,
  input: { corpus: string; runId: string; heldOutFraction: number; seed: number },
): Promise<GeneratedQueries> {
  const prefix = transformPaths.queriesOutput(input.corpus, input.runId);
  const parts = await transformOutputParts(blobs, prefix);
  const pairsKeys: string[] = [];
  const heldoutKeys: string[] = [];
  let pairs = 0;
  let heldout = 0;
  let unreadable = 0;
  for (const key of parts) {
    const part = await collectQueryGenerationPart(blobs, { ...input, key });
    if (part.pairsKey) pairsKeys.push(part.pairsKey);
    if (part.heldoutKey) heldoutKeys.push(part.heldoutKey);
    pairs += part.pairs;
    heldout += part.heldout;
    unreadable += part.unreadable;
  }
  if (!pairs)
    throw new CorruptArtifactError(
      `query generation produced no usable pairs (${parts.length} output parts, ${unreadable} unreadable lines under ${prefix})`,
    );
  const heldoutKey = keys.heldout(input.corpus, input.runId);
  async function* allHeldout() {
    for (const key of heldoutKeys) yield* readLines(await blobs.getStream(key));
  }
  await blobs.putStream(heldoutKey, encodeLines(allHeldout()));
  for (const key of heldoutKeys) await blobs.delete(key);
  return { pairsKey: pairsKeys.sort()[0]!, heldoutKey, pairs, heldout };
}

/**
 * Index one `.out` object of the embedding transform into an index version, streaming it and bulk
 * upserting every `batchSize` passages, so memory holds one batch whatever the corpus size. Each line
 * is what sagemaker/inference.py answers for a passage record: the passage's fields plus `embedding`.
 * Lines that carry only a `passageId` (the older input layout) are resolved through `passages`. A line
 * without a known passage or with a vector of another size fails the part (nothing is guessed).
 * Returns how many passages were indexed. Re-indexing a part upserts the same ids again.
 */
export async function indexEmbeddingOutputPart(
  blobs: BlobStore,
  index: SearchIndex,
  input: {
    version: string;
    key: string;
    dimensions: number;
    batchSize?: number;
    passages?: ReadonlyMap<string, Passage>;
    trained?: (passage: Passage) => boolean;
  },
): Promise<number> {
  const batchSize = input.batchSize ?? 200;
  let batch: IndexItem[] = [];
  let count = 0;
  let line = 0;
  for await (const text of readLines(await blobs.getStream(input.key))) {
    line++;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(text);
    } catch {
      throw new CorruptArtifactError(`embedding output ${input.key} line ${line} is not JSON`);
    }
    const direct = Passage.safeParse(row);
    const passage = direct.success
      ? direct.data
      : typeof row.passageId === "string"
        ? input.passages?.get(row.passageId)
        : undefined;
    const vector = row.embedding;
    if (!passage) throw new CorruptArtifactError(`embedding output ${input.key} line ${line} names no known passage`);
    if (!Array.isArray(vector) || vector.length !== input.dimensions || !vector.every((v) => typeof v === "number")) {
      throw new CorruptArtifactError(
        `embedding output ${input.key} line ${line} (passage "${passage.id}") has no ${input.dimensions}-dimensional vector`,
      );
    }
    batch.push({
      passage,
      vector: Float32Array.from(vector),
      ...(input.trained ? { trained: input.trained(passage) } : {}),
    });
    if (batch.length >= batchSize) {
      await index.upsert(input.version, batch);
      count += batch.length;
      batch = [];
    }
  }
  if (batch.length) await index.upsert(input.version, batch);
  return count + batch.length;
}

/**
 * Index every part of a run's embedding transform into an index version, one part after another.
 * Returns how many passages were indexed. (`indexEmbeddingOutputPart` lets a caller spread the parts
 * over several invocations instead.)
 */
export async function indexEmbeddingOutput(
  blobs: BlobStore,
  index: SearchIndex,
  input: {
    corpus: string;
    runId: string;
    version: string;
    dimensions: number;
    passages?: ReadonlyMap<string, Passage>;
    batchSize?: number;
    trained?: (passage: Passage) => boolean;
  },
): Promise<number> {
  let count = 0;
  for (const key of await transformOutputParts(blobs, transformPaths.embeddingOutput(input.corpus, input.runId))) {
    count += await indexEmbeddingOutputPart(blobs, index, { ...input, key });
  }
  return count;
}
