/**
 * The AWS runtime's corpus-sized steps at 1,000,000 passages, in one process: the query-generation
 * inputs, the embedding manifest, the query-generation output turned into pairs and held-out queries,
 * and the embedding output indexed in batches. The bucket is a generated store: passages objects and
 * transform outputs are produced on the fly from their keys and everything written is counted and
 * dropped, so the process's memory is the steps' own. Peak RSS per step against the starting RSS shows
 * whether a step holds the corpus (it would grow with PASSAGES) or a bounded window (it stays flat).
 *
 * Run: npm run bench:aws-scale   (PASSAGES=1000000 DOCS=20000 DIMS=384; DOCS=1 is one huge object;
 * REFERENCE=1 adds, for comparison, the older way: every passage loaded and one input object built)
 */
import { createRng } from "@genq/ml";
import { keys, type BlobInfo, type BlobStore, type Passage, type SearchIndex } from "@genq/core";
import {
  collectTransformOutput,
  indexEmbeddingOutputPart,
  transformOutputParts,
  transformPaths,
  writePassageManifest,
  writeQueryGenerationInputs,
} from "@genq/aws";

const N = Number(process.env.PASSAGES ?? 1_000_000);
const DOCS = Number(process.env.DOCS ?? 20_000);
const DIMS = Number(process.env.DIMS ?? 384);
const CORPUS = "scale";
const RUN = "run-1";
const perDoc = Math.ceil(N / DOCS);

const WORDS =
  "vacuum index table row query planner statistics replication standby backup restore archive transaction lock isolation snapshot tuple page buffer cache checkpoint wal segment partition trigger function sequence schema role privilege extension tablespace cluster analyze explain cost join hash merge sort aggregate window cursor".split(
    " ",
  );
function passage(doc: number, i: number): Passage {
  const rng = createRng(doc * 100_003 + i);
  const sentences = Array.from(
    { length: 8 },
    () => Array.from({ length: 12 + rng.int(8) }, () => WORDS[rng.int(WORDS.length)]).join(" ") + ".",
  );
  return {
    id: `d${doc}-p${i}`,
    corpus: CORPUS,
    documentId: `doc-${doc}.md`,
    sourcePath: `doc-${doc}.md`,
    title: `Section ${doc}.${i}`,
    text: sentences.join(" "),
    ordinal: i,
  };
}
const count = (doc: number) => Math.max(0, Math.min(perDoc, N - doc * perDoc));

/** Lines for a key, generated: passages objects and the two transforms' `.out` objects. */
function* linesFor(key: string): Generator<string> {
  const m = /d(\d+)\.jsonl(\.out)?$/.exec(key);
  if (!m) throw new Error(`no generated object ${key}`);
  const doc = Number(m[1]);
  for (let i = 0; i < count(doc); i++) {
    const p = passage(doc, i);
    if (key.includes("/passages/")) yield JSON.stringify(p);
    else if (key.includes("/transform-output/")) {
      yield JSON.stringify({
        passageId: p.id,
        inputs: `${p.title}\n${p.text}`,
        parameters: {},
        SageMakerOutput: [1, 2, 3].map((q) => ({ generated_text: `${p.title} question ${q}` })),
      });
    } else {
      const rng = createRng(doc * 7 + i);
      yield JSON.stringify({
        ...p,
        embedding: Array.from({ length: DIMS }, () => Math.round((rng.next() - 0.5) * 1e6) / 1e6),
      });
    }
  }
}

function generatedStore() {
  const written = new Map<string, number>();
  // Held-out parts are written and read back by the step itself (a tenth of the queries): those are kept.
  const kept = new Map<string, Uint8Array>();
  const keep = (key: string) => key.includes("/heldout-parts/");
  const enc = new TextEncoder();
  const docKeys = (prefix: string, suffix: string) =>
    Array.from({ length: DOCS }, (_, d) => `${prefix}d${d}.jsonl${suffix}`).filter((_, d) => count(d) > 0);
  const store: BlobStore = {
    async deletePrefix() {
      return 0;
    },
    async put(key, body) {
      written.set(key, typeof body === "string" ? body.length : body.length);
    },
    async putStream(key, body) {
      let n = 0;
      const chunks: Uint8Array[] = [];
      for await (const chunk of body) {
        n += chunk.length;
        if (keep(key)) chunks.push(chunk);
      }
      written.set(key, n);
      if (keep(key)) kept.set(key, Buffer.concat(chunks));
    },
    async get(key) {
      return kept.get(key) ?? enc.encode([...linesFor(key)].join("\n"));
    },
    async getStream(key) {
      const stored = kept.get(key);
      if (stored)
        return (async function* () {
          yield stored;
        })();
      return (async function* () {
        let batch: string[] = [];
        for (const line of linesFor(key)) {
          batch.push(line, "\n");
          if (batch.length >= 64) {
            yield enc.encode(batch.join(""));
            batch = [];
          }
        }
        if (batch.length) yield enc.encode(batch.join(""));
      })();
    },
    async head(key) {
      return written.has(key) ? { key, size: written.get(key)!, modifiedAt: "" } : null;
    },
    async list(prefix): Promise<BlobInfo[]> {
      const info = (key: string) => ({ key, size: 0, modifiedAt: "" });
      if (prefix === transformPaths.queriesOutput(CORPUS, RUN)) return docKeys(prefix, ".out").map(info);
      if (prefix === transformPaths.embeddingOutput(CORPUS, RUN)) return docKeys(prefix, ".out").map(info);
      return [...written.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort()
        .map((k) => info(k));
    },
    async delete(key) {
      written.delete(key);
      kept.delete(key);
    },
  };
  return { store, written };
}

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const timer = setInterval(sample, 20);
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
async function step(name: string, work: () => Promise<string>) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  peak = before;
  const t0 = performance.now();
  const note = await work();
  sample();
  console.log(
    `${name.padEnd(34)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s   RSS ${mib(before)} → peak ${mib(peak)} (+${mib(peak - before)})   ${note}`,
  );
}

const { store, written } = generatedStore();
const passagesKeys = Array.from({ length: DOCS }, (_, d) => keys.passages(CORPUS, `d${d}`)).filter(
  (_, d) => count(d) > 0,
);
console.log(
  `${N.toLocaleString("en")} passages in ${passagesKeys.length.toLocaleString("en")} passages objects, ${DIMS}-dimensional vectors, Node ${process.version}`,
);
await step("query-generation inputs", async () => {
  const out = await writeQueryGenerationInputs(store, {
    corpus: CORPUS,
    runId: RUN,
    passagesKeys,
    queriesPerPassage: 3,
  });
  return `${out.passages.toLocaleString("en")} lines in ${out.objects} objects`;
});
await step("embedding manifest", async () => {
  const out = await writePassageManifest(store, { bucket: "genq", corpus: CORPUS, runId: RUN, passagesKeys });
  return `${out.objects} entries, ${mib(written.get(out.key)!)}`;
});
await step("pairs and held-out queries", async () => {
  const generated = await collectTransformOutput(store, { corpus: CORPUS, runId: RUN, heldOutFraction: 0.1, seed: 42 });
  return `${generated.pairs.toLocaleString("en")} pairs, ${generated.heldout.toLocaleString("en")} held-out queries (${mib(written.get(generated.heldoutKey)!)})`;
});
await step("index embedding output (batch 200)", async () => {
  let indexed = 0;
  let largest = 0;
  const index = {
    upsert: async (_v: string, items: readonly unknown[]) => void (largest = Math.max(largest, items.length)),
  } as unknown as SearchIndex;
  for (const key of await transformOutputParts(store, transformPaths.embeddingOutput(CORPUS, RUN)))
    indexed += await indexEmbeddingOutputPart(store, index, { version: "v", key, dimensions: DIMS, batchSize: 200 });
  return `${indexed.toLocaleString("en")} passages, largest bulk ${largest}`;
});
if (process.env.REFERENCE) {
  await step("reference: whole corpus in memory", async () => {
    const all: Passage[] = [];
    for (const key of passagesKeys) for (const line of linesFor(key)) all.push(JSON.parse(line) as Passage);
    const body = all.map((p) => JSON.stringify({ passageId: p.id, inputs: `${p.title}\n${p.text}` })).join("\n");
    await store.put("reference.jsonl", body);
    return `${all.length.toLocaleString("en")} passages held, one ${mib(body.length)} input object`;
  });
}
clearInterval(timer);
