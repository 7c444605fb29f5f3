import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentHash, keys, toPassages, type BlobStore, type QueryPair } from "@genq/core";
import {
  collectTransformOutput,
  createOpenSearchClient,
  createOpenSearchSearchIndex,
  createS3BlobStore,
  createSageMakerDeployer,
  createSageMakerEncoder,
  createSageMakerQueryGenerator,
  createSageMakerTrainer,
  embeddingTransformRequest,
  jobNames,
  startEmbeddingTransform,
  transformOutputParts,
  transformPaths,
  translateSageMakerEvent,
  writePassageManifest,
  writeQueryGenerationInputs,
  indexEmbeddingOutputPart,
} from "@genq/aws";
import { parseDocument } from "@genq/parsing";
import { startS3rver, type Emulator } from "../contracts/emulators.ts";
import { createQueryGenerationModel, s3rverClient, SAGEMAKER_ROLE, sourceDirTarball } from "./fixtures.ts";
import { startOpenSearchStandIn, type OpenSearchStandIn } from "./opensearch-standin.ts";
import { startSageMakerServer, type SageMakerServer } from "./sagemaker-server.ts";
import { SIMULATED_MODEL } from "./sagemaker-training.ts";

const BUCKET = "genq-runtime";
const ROLE = SAGEMAKER_ROLE;
const CORPUS = "pg";
const RUN = "run-1";
let s3rver: Emulator;
let blobs: BlobStore;
let sim: SageMakerServer;
let os: OpenSearchStandIn;

beforeAll(async () => {
  s3rver = await startS3rver(BUCKET);
  const s3 = s3rverClient(s3rver.endpoint);
  blobs = createS3BlobStore(s3, BUCKET);
  sim = await startSageMakerServer({ s3 });
  os = await startOpenSearchStandIn({ users: { genq: "Master-pass1" } });
}, 120_000);
afterAll(async () => {
  await sim?.stop();
  await os?.stop();
  await s3rver?.stop();
});

/** The passages objects chunking writes for a few pages of the shipped examples (`passages/<hash>.jsonl`). */
async function ingestExamples(): Promise<string[]> {
  const dir = join(import.meta.dirname, "../../examples/postgresql-docs");
  const keysWritten: string[] = [];
  for (const file of readdirSync(dir).sort().slice(0, 12)) {
    const bytes = readFileSync(join(dir, file));
    const passages = toPassages({ corpus: CORPUS, sourcePath: file, documents: await parseDocument(file, bytes) });
    const key = keys.passages(CORPUS, contentHash(bytes));
    await blobs.put(key, passages.map((p) => JSON.stringify(p)).join("\n") + "\n");
    keysWritten.push(key);
  }
  return keysWritten;
}

// The AWS adapters in the order a run uses them, against the stand-ins: every request is the one genq
// sends on AWS, every artifact lands where SageMaker would put it, and no step reads the corpus into one
// process (inputs and outputs are streamed per object).
describe("AWS runtime adapters against the SageMaker simulator and the OpenSearch stand-in", () => {
  it("generates queries, trains, deploys, embeds from the manifest, indexes in batches and serves hybrid search", async () => {
    const { sagemaker, runtime } = sim.clients();
    await blobs.put("code/sourcedir.tar.gz", sourceDirTarball());
    await createQueryGenerationModel(sagemaker);
    const passagesKeys = await ingestExamples();

    // Query generation: per-document inputs, the transform on the stock container, the joined output parsed.
    const inputs = await writeQueryGenerationInputs(blobs, {
      corpus: CORPUS,
      runId: RUN,
      passagesKeys,
      queriesPerPassage: 3,
    });
    expect(inputs.objects).toBe(passagesKeys.length);
    await createSageMakerQueryGenerator(sagemaker, {
      bucket: BUCKET,
      roleArn: ROLE,
      modelName: "genq-query-gen",
      instanceType: "ml.g5.xlarge",
      queriesPerPassage: 3,
    }).start({ corpus: CORPUS, runId: RUN, passageKeys: [] });
    await sim.idle();
    expect(translateSageMakerEvent(sim.events.at(-1))).toMatchObject({ kind: "transform-completed", job: "queries" });
    const generated = await collectTransformOutput(blobs, {
      corpus: CORPUS,
      runId: RUN,
      heldOutFraction: 0.2,
      seed: 7,
    });
    expect((await transformOutputParts(blobs, transformPaths.queriesOutput(CORPUS, RUN))).length).toBe(
      passagesKeys.length,
    );
    const heldout = new TextDecoder()
      .decode(await blobs.get(keys.heldout(CORPUS, RUN)))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as QueryPair);
    expect(generated.pairs).toBeGreaterThan(inputs.passages);
    expect(generated.heldout).toBe(heldout.length);

    // Training on the pairs; the completion event names the model; the endpoint is created from its archive.
    await createSageMakerTrainer(sagemaker, {
      bucket: BUCKET,
      roleArn: ROLE,
      trainingImage: "hf-training",
      instanceType: "ml.g5.xlarge",
      sourceDir: `s3://${BUCKET}/code/sourcedir.tar.gz`,
      baseModel: "sentence-transformers/msmarco-distilbert-base-tas-b",
      hyperparameters: { epochs: 2 },
      maxRuntimeSeconds: 3600,
    }).start({ corpus: CORPUS, runId: RUN, pairsKey: generated.pairsKey, passageKeys: [] });
    await sim.idle();
    const trained = translateSageMakerEvent(sim.events.at(-1));
    if (trained.kind !== "event")
      throw new Error(`training did not complete: ${JSON.stringify(sim.events.at(-1)?.detail.FailureReason)}`);
    const modelKey = (trained.event.detail as { modelKey: string }).modelKey;
    const endpoint = await createSageMakerDeployer(sagemaker, {
      roleArn: ROLE,
      inferenceImage: "hf-inference",
      mode: { kind: "serverless", memoryMb: 2048, maxConcurrency: 5 },
    }).deploy(CORPUS, RUN, `s3://${BUCKET}/${modelKey}${jobNames.training(RUN)}/output/model.tar.gz`);
    await sim.idle();
    expect(translateSageMakerEvent(sim.events.at(-1))).toMatchObject({
      kind: "event",
      event: { type: "model.deployed" },
    });

    // Embedding: the transform reads the passage objects in place through the manifest.
    await writePassageManifest(blobs, { bucket: BUCKET, corpus: CORPUS, runId: RUN, passagesKeys });
    await startEmbeddingTransform(
      sagemaker,
      embeddingTransformRequest({ bucket: BUCKET, instanceType: "ml.c5.xlarge" }, CORPUS, RUN, endpoint, {
        kind: "manifest",
      }),
    );
    await sim.idle();
    expect(translateSageMakerEvent(sim.events.at(-1))).toMatchObject({ kind: "transform-completed", job: "embedding" });

    // Indexing, part by part and batch by batch, into a version that is then promoted.
    const client = createOpenSearchClient({
      node: os.url,
      region: "us-east-1",
      username: "genq",
      password: "Master-pass1",
    });
    const index = createOpenSearchSearchIndex(client);
    const version = `${RUN}-index`;
    await index.createVersion({ corpus: CORPUS, version, dimensions: SIMULATED_MODEL.dims, tenant: "acme" });
    let indexed = 0;
    for (const key of await transformOutputParts(blobs, transformPaths.embeddingOutput(CORPUS, RUN))) {
      indexed += await indexEmbeddingOutputPart(blobs, index, {
        version,
        key,
        dimensions: SIMULATED_MODEL.dims,
        batchSize: 25,
      });
    }
    expect(indexed).toBe(inputs.passages);
    await index.promote(CORPUS, version);

    // Serving: queries encoded by the endpoint, hybrid search through the pipeline genq puts itself.
    const encoder = createSageMakerEncoder(runtime, endpoint, SIMULATED_MODEL.dims);
    const sample = heldout.slice(0, 40);
    let found = 0;
    for (const q of sample) {
      const [vector] = await encoder.encode([q.query], "query");
      const hits = await index.search({
        corpus: CORPUS,
        query: q.query,
        vector,
        k: 10,
        mode: "hybrid",
        filter: { tenant: "acme" },
      });
      if (hits.some((h) => h.passage.id === q.passageId)) found++;
    }
    expect(sample.length).toBeGreaterThan(10);
    expect(found / sample.length).toBeGreaterThan(0.6);
  });
});
