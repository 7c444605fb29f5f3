import { CorruptArtifactError, Passage, ValidationError, keys, passageText, type BlobStore } from "@genq/core";
import { encodeLines, readLines } from "./json-lines.ts";

/** Where a run's batch transforms read and write, under `corpora/<corpus>/runs/<run>/`. */
export const transformPaths = {
  /** Query-generation input: one JSON-lines object per passages object (or one part). */
  queriesInput: (corpus: string, runId: string) => `${keys.run(corpus, runId)}transform-input/`,
  queriesOutput: (corpus: string, runId: string) => `${keys.run(corpus, runId)}transform-output/`,
  /** The embedding transform's manifest of the corpus's passage objects. */
  embeddingManifest: (corpus: string, runId: string) => `${keys.run(corpus, runId)}embed-input.manifest`,
  /** Embedding input as a plain folder (the older single-part layout; the manifest replaces it). */
  embeddingInput: (corpus: string, runId: string) => `${keys.run(corpus, runId)}embed-input/`,
  embeddingOutput: (corpus: string, runId: string) => `${keys.run(corpus, runId)}embed-output/`,
};

/**
 * One line of query-generation input for the stock Hugging Face container: `inputs` is the passage
 * text, `parameters` the GenQ generation settings (3 queries, top-p 0.95 sampling, at most 32 tokens).
 * The toolkit's default handler pops `inputs` and `parameters` and ignores other keys
 * (handler_service.py predict()), so `passageId` rides along and comes back in the joined output.
 * `truncation` cuts passages longer than the model's input (512 tokens for T5) instead of failing.
 */
export function transformInputLine(passage: { id: string; text: string }, queriesPerPassage: number): string {
  return JSON.stringify({
    passageId: passage.id,
    inputs: passage.text,
    parameters: {
      max_length: 32,
      num_return_sequences: queriesPerPassage,
      top_p: 0.95,
      do_sample: true,
      truncation: true,
    },
  });
}

/** Run `work` over `items` with at most `limit` in flight; the first failure rejects. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The passages of one stored passages object, validated line by line, streamed; a damaged line is CorruptArtifactError. */
export async function* readPassages(blobs: BlobStore, key: string): AsyncGenerator<Passage> {
  let line = 0;
  for await (const text of readLines(await blobs.getStream(key))) {
    line++;
    let parsed;
    try {
      parsed = Passage.safeParse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) throw new CorruptArtifactError(`passages object ${key} is damaged at line ${line}`);
    yield parsed.data;
  }
}

const passagesPrefix = (corpus: string) => keys.passages(corpus, "x").slice(0, -"x.jsonl".length);

function relativePassageKeys(corpus: string, passagesKeys: readonly string[]): string[] {
  const prefix = passagesPrefix(corpus);
  const out = [...new Set(passagesKeys)].sort();
  const foreign = out.find((k) => !k.startsWith(prefix) || k.length === prefix.length);
  if (foreign) throw new ValidationError(`passages object "${foreign}" is not under ${prefix}`);
  return out.map((k) => k.slice(prefix.length));
}

/**
 * Write the query-generation input of a run: for every passages object of the corpus, one object under
 * `transform-input/` with a `transformInputLine` per passage. Each object is streamed through (one
 * passages object in memory at most per worker, `concurrency` workers), so a corpus of any size fits a
 * Lambda. Writing the same run twice rewrites the same keys. Returns how many objects and passages.
 */
export async function writeQueryGenerationInputs(
  blobs: BlobStore,
  input: {
    corpus: string;
    runId: string;
    passagesKeys: readonly string[];
    queriesPerPassage: number;
    concurrency?: number;
  },
): Promise<{ objects: number; passages: number }> {
  const relative = relativePassageKeys(input.corpus, input.passagesKeys);
  const folder = transformPaths.queriesInput(input.corpus, input.runId);
  let passages = 0;
  await eachLimited(relative, input.concurrency ?? 8, async (name) => {
    const source = passagesPrefix(input.corpus) + name;
    async function* lines() {
      for await (const p of readPassages(blobs, source)) {
        passages++;
        yield transformInputLine({ id: p.id, text: passageText(p) }, input.queriesPerPassage);
      }
    }
    await blobs.putStream(folder + name, encodeLines(lines()));
  });
  return { objects: relative.length, passages };
}

/**
 * Write the embedding transform's manifest: the corpus's passage objects, read in place by SageMaker.
 * The format is SageMaker's ManifestFile (TransformS3DataSource in the SageMaker API reference): a JSON
 * array whose first element is `{"prefix": "s3://bucket/prefix/"}` and whose other elements are keys
 * relative to it. Only object keys are held in memory, never passages.
 */
export async function writePassageManifest(
  blobs: BlobStore,
  input: { bucket: string; corpus: string; runId: string; passagesKeys: readonly string[] },
): Promise<{ key: string; uri: string; objects: number }> {
  const relative = relativePassageKeys(input.corpus, input.passagesKeys);
  if (!relative.length) throw new ValidationError(`corpus "${input.corpus}" has no passages to embed`);
  const key = transformPaths.embeddingManifest(input.corpus, input.runId);
  await blobs.put(
    key,
    JSON.stringify([{ prefix: `s3://${input.bucket}/${passagesPrefix(input.corpus)}` }, ...relative]),
  );
  return { key, uri: `s3://${input.bucket}/${key}`, objects: relative.length };
}
