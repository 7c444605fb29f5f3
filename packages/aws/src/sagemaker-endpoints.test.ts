import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import type { BlobStore } from "@genq/core";
import { createSageMakerDeployer, createSageMakerEncoder, createSageMakerGenerator, createSageMakerReader } from "./sagemaker-endpoints.ts";
import { translateSageMakerEvent } from "./sagemaker-events.ts";
import { collectTransformOutput } from "./transform-output.ts";

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, "../../../test/fixtures/events", name), "utf8"));
const reply = (body: unknown) => ({ Body: new TextEncoder().encode(JSON.stringify(body)) as never });

describe("SageMaker endpoints", () => {
  it("deploys a run's model to a serverless endpoint named and tagged after the run", async () => {
    const mock = mockClient(SageMakerClient);
    mock.onAnyCommand().resolves({});
    const deployer = createSageMakerDeployer(new SageMakerClient({ region: "us-east-1" }), {
      roleArn: "role", inferenceImage: "hf-inference", sourceDir: "s3://b/code/sourcedir.tar.gz", mode: { kind: "serverless", memoryMb: 4096, maxConcurrency: 5 },
    });
    expect(await deployer.deploy("handbook", "run-1", "s3://b/corpora/handbook/runs/run-1/model/model.tar.gz")).toBe("genq-run-1-enc");
    expect(mock.commandCalls(CreateModelCommand)[0]!.args[0].input).toMatchObject({ ModelName: "genq-run-1-enc", PrimaryContainer: { Image: "hf-inference", Environment: { SAGEMAKER_PROGRAM: "inference.py" } } });
    expect(mock.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input.ProductionVariants![0]).toMatchObject({ ServerlessConfig: { MemorySizeInMB: 4096, MaxConcurrency: 5 } });
    expect(mock.commandCalls(CreateEndpointCommand)[0]!.args[0].input.Tags).toEqual([{ Key: "genq:corpus", Value: "handbook" }, { Key: "genq:run", Value: "run-1" }]);
  });

  it("turns IN_SERVICE into model.deployed", () => {
    expect(translateSageMakerEvent(fixture("sagemaker-endpoint-in-service.json"))).toEqual({
      kind: "event",
      event: { id: "model.deployed:run-1", type: "model.deployed", corpus: "handbook", detail: { runId: "run-1", modelId: "run-1-model", endpoint: "genq-run-1-enc" } },
    });
  });

  it("encodes through InvokeEndpoint and refuses vectors of the wrong shape", async () => {
    const mock = mockClient(SageMakerRuntimeClient);
    mock.on(InvokeEndpointCommand).resolvesOnce(reply({ embeddings: [[0.6, 0.8]], dimensions: 2 })).resolves(reply({ embeddings: [[1, 0, 0]], dimensions: 3 }));
    const encoder = createSageMakerEncoder(new SageMakerRuntimeClient({ region: "us-east-1" }), "genq-run-1-enc", 2);
    expect(await encoder.encode(["vacuum"], "query")).toEqual([Float32Array.from([0.6, 0.8])]);
    expect(JSON.parse(new TextDecoder().decode(mock.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.Body as Uint8Array))).toEqual({ inputs: ["vacuum"], kind: "query" });
    await expect(encoder.encode(["x"], "query")).rejects.toThrow(/expected 1×2/);
  });

  // With handle_impossible_answer the transformers question-answering pipeline appends the null answer
  // {"score": min_null_score, "answer": "", "start": 0, "end": 0} (huggingface/transformers,
  // src/transformers/pipelines/question_answering.py, postprocess).
  it("reads answer spans from a QA endpoint, abstains when the null answer wins, and keeps only cited sentences from an LLM", async () => {
    const mock = mockClient(SageMakerRuntimeClient);
    mock
      .on(InvokeEndpointCommand)
      .resolvesOnce(reply([{ answer: "dead tuples", score: 0.9, start: 25, end: 36 }, { answer: "", score: 0.05, start: 0, end: 0 }]))
      .resolvesOnce(reply([{ answer: "", score: 0.8, start: 0, end: 0 }, { answer: "VACUUM", score: 0.1, start: 0, end: 6 }]))
      .resolvesOnce(reply([{ generated_text: "VACUUM reclaims space [1]. Nobody knows why." }]))
      .resolvesOnce(reply([{ generated_text: "The passages do not say." }]));
    const runtime = new SageMakerRuntimeClient({ region: "us-east-1" });
    const passage = { id: "p1", corpus: "c", documentId: "d", sourcePath: "d", title: "", text: "VACUUM reclaims space of dead tuples.", ordinal: 0 };
    const reader = createSageMakerReader(runtime, "qa");
    const read = await reader.read("what is reclaimed?", [passage], 3);
    expect(read).toMatchObject({ noAnswer: false, answers: [{ passageId: "p1", start: 25, end: 36, text: "dead tuples", score: 0.9 }], metadata: { model: "sagemaker:qa" } });
    expect(JSON.parse(new TextDecoder().decode(mock.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.Body as Uint8Array))).toEqual({
      inputs: { question: "what is reclaimed?", context: passage.text },
      parameters: { top_k: 3, handle_impossible_answer: true },
    });
    const abstained = await reader.read("who wrote it?", [passage], 3);
    expect(abstained).toMatchObject({ noAnswer: true, answers: [], bestGuess: { text: "VACUUM", score: 0.1 } });
    const rag = await createSageMakerGenerator(runtime, "llm").answer("what does vacuum do?", [passage]);
    expect(rag.sentences).toEqual([{ text: "VACUUM reclaims space.", citations: [{ passageId: "p1", start: 0, end: passage.text.length }] }]);
    expect(rag.noAnswer).toBe(false);
    const none = await createSageMakerGenerator(runtime, "llm").answer("who wrote it?", [passage]);
    expect(none).toMatchObject({ noAnswer: true, answer: "", sentences: [] });
  });
});

describe("query-generation transform output", () => {
  it("becomes training pairs with passage text and a held-out slice", async () => {
    const store = new Map<string, string>();
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ passageId: `p${i}`, inputs: `passage ${i}`, parameters: {}, SageMakerOutput: [{ generated_text: `query ${i} a` }, { generated_text: `query ${i} b` }] }));
    store.set("corpora/c/runs/r1/transform-output/part.jsonl.out", [...lines, "not json"].join("\n"));
    const blobs = {
      list: async (prefix: string) => [...store.keys()].filter((k) => k.startsWith(prefix)).map((key) => ({ key, size: 0, modifiedAt: "" })),
      get: async (k: string) => new TextEncoder().encode(store.get(k)!),
      put: async (k: string, v: string) => void store.set(k, v),
    } as unknown as BlobStore;
    const event = await collectTransformOutput(blobs, { corpus: "c", runId: "r1", heldOutFraction: 0.25, seed: 13 });
    const train = store.get("corpora/c/runs/r1/pairs/part-0000.jsonl")!.trim().split("\n").map((l) => JSON.parse(l));
    const held = store.get("corpora/c/runs/r1/heldout.jsonl")!.trim().split("\n").map((l) => JSON.parse(l));
    expect(train.length + held.length).toBe(80);
    expect(held.length).toBeGreaterThan(0);
    expect(train[0]).toMatchObject({ query: expect.stringMatching(/^query \d+ a$/), passage: expect.stringMatching(/^passage \d+$/) });
    const trained = new Set(train.map((t) => t.passageId));
    for (const h of held) expect(trained.has(h.passageId)).toBe(false);
    expect(event).toEqual({ pairsKey: "corpora/c/runs/r1/pairs/part-0000.jsonl", heldoutKey: "corpora/c/runs/r1/heldout.jsonl", pairs: train.length, heldout: held.length });
  });
});

describe("bulk embedding transform", () => {
  it("targets the run's model and fills the index version from the joined output", async () => {
    const { embeddingTransformRequest } = await import("./sagemaker-jobs.ts");
    const { indexEmbeddingOutput } = await import("./transform-output.ts");
    expect(embeddingTransformRequest({ bucket: "b", instanceType: "ml.g5.xlarge" }, "docs", "run-1", "genq-run-1-enc")).toMatchObject({
      TransformJobName: "genq-run-1-emb",
      ModelName: "genq-run-1-enc",
      TransformInput: { SplitType: "Line", DataSource: { S3DataSource: { S3Uri: "s3://b/corpora/docs/runs/run-1/embed-input/" } } },
      DataProcessing: { JoinSource: "Input" },
    });
    expect(translateSageMakerEvent({ ...fixture("sagemaker-transform-completed.json"), detail: { ...fixture("sagemaker-transform-completed.json").detail, TransformJobName: "genq-run-1-emb" } })).toMatchObject({ kind: "transform-completed", job: "embedding" });
    const out = ["p1", "p2"].map((id, i) => JSON.stringify({ passageId: id, inputs: ["t"], kind: "passage", SageMakerOutput: { embeddings: [[i, 1]], dimensions: 2 } })).join("\n");
    const blobs = { list: async () => [{ key: "x", size: 0, modifiedAt: "" }], get: async () => new TextEncoder().encode(out) } as unknown as BlobStore;
    const upserts: string[][] = [];
    const index = { upsert: async (_v: string, items: Array<{ passage: { id: string } }>) => void upserts.push(items.map((i) => i.passage.id)) };
    const passages = new Map(["p1", "p2"].map((id) => [id, { id, corpus: "docs", documentId: id, sourcePath: id, title: "", text: id, ordinal: 0 }]));
    expect(await indexEmbeddingOutput(blobs, index as never, { corpus: "docs", runId: "run-1", version: "v", dimensions: 2, passages })).toBe(2);
    expect(upserts).toEqual([["p1", "p2"]]);
    await expect(indexEmbeddingOutput(blobs, index as never, { corpus: "docs", runId: "run-1", version: "v", dimensions: 3, passages })).rejects.toThrow(/not a 3-dimensional vector/);
  });
});
