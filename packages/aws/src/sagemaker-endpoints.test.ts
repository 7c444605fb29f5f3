import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import {
  createSageMakerDeployer,
  createSageMakerEncoder,
  createSageMakerGenerator,
  createSageMakerReader,
} from "./sagemaker-endpoints.ts";
import { translateSageMakerEvent } from "./sagemaker-events.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../../test/fixtures/events", name), "utf8"));
const reply = (body: unknown) => ({ Body: new TextEncoder().encode(JSON.stringify(body)) as never });

describe("SageMaker endpoints", () => {
  it("deploys a run's model to a serverless endpoint named and tagged after the run", async () => {
    const mock = mockClient(SageMakerClient);
    mock.onAnyCommand().resolves({});
    const deployer = createSageMakerDeployer(new SageMakerClient({ region: "us-east-1" }), {
      roleArn: "role",
      inferenceImage: "hf-inference",
      mode: { kind: "serverless", memoryMb: 4096, maxConcurrency: 5 },
    });
    expect(await deployer.deploy("handbook", "run-1", "s3://b/corpora/handbook/runs/run-1/model/model.tar.gz")).toBe(
      "genq-run-1-enc",
    );
    // The toolkit loads code/inference.py from the model archive and never downloads SAGEMAKER_SUBMIT_DIRECTORY
    // (aws/sagemaker-huggingface-inference-toolkit handler_service.py): the model is the archive alone.
    const model = mock.commandCalls(CreateModelCommand)[0]!.args[0].input;
    expect(model).toMatchObject({
      ModelName: "genq-run-1-enc",
      PrimaryContainer: {
        Image: "hf-inference",
        ModelDataUrl: "s3://b/corpora/handbook/runs/run-1/model/model.tar.gz",
        Environment: { SAGEMAKER_PROGRAM: "inference.py" },
      },
    });
    expect(model.PrimaryContainer!.Environment).not.toHaveProperty("SAGEMAKER_SUBMIT_DIRECTORY");
    expect(mock.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input.ProductionVariants![0]).toMatchObject({
      ServerlessConfig: { MemorySizeInMB: 4096, MaxConcurrency: 5 },
    });
    expect(mock.commandCalls(CreateEndpointCommand)[0]!.args[0].input.Tags).toEqual([
      { Key: "genq:corpus", Value: "handbook" },
      { Key: "genq:run", Value: "run-1" },
    ]);
  });

  it("turns IN_SERVICE into model.deployed", () => {
    expect(translateSageMakerEvent(fixture("sagemaker-endpoint-in-service.json"))).toEqual({
      kind: "event",
      event: {
        id: "model.deployed:run-1",
        type: "model.deployed",
        corpus: "handbook",
        detail: { runId: "run-1", modelId: "run-1-model", endpoint: "genq-run-1-enc" },
      },
    });
  });

  it("encodes through InvokeEndpoint and refuses vectors of the wrong shape", async () => {
    const mock = mockClient(SageMakerRuntimeClient);
    mock
      .on(InvokeEndpointCommand)
      .resolvesOnce(reply({ embeddings: [[0.6, 0.8]], dimensions: 2 }))
      .resolves(reply({ embeddings: [[1, 0, 0]], dimensions: 3 }));
    const encoder = createSageMakerEncoder(new SageMakerRuntimeClient({ region: "us-east-1" }), "genq-run-1-enc", 2);
    expect(await encoder.encode(["vacuum"], "query")).toEqual([Float32Array.from([0.6, 0.8])]);
    expect(
      JSON.parse(
        new TextDecoder().decode(mock.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.Body as Uint8Array),
      ),
    ).toEqual({ inputs: ["vacuum"], kind: "query" });
    await expect(encoder.encode(["x"], "query")).rejects.toThrow(/expected 1×2/);
  });

  // With handle_impossible_answer the transformers question-answering pipeline appends the null answer
  // {"score": min_null_score, "answer": "", "start": 0, "end": 0} (huggingface/transformers,
  // src/transformers/pipelines/question_answering.py, postprocess).
  it("reads answer spans from a QA endpoint, abstains when the null answer wins, and keeps only cited sentences from an LLM", async () => {
    const mock = mockClient(SageMakerRuntimeClient);
    mock
      .on(InvokeEndpointCommand)
      .resolvesOnce(
        reply([
          { answer: "dead tuples", score: 0.9, start: 25, end: 36 },
          { answer: "", score: 0.05, start: 0, end: 0 },
        ]),
      )
      .resolvesOnce(
        reply([
          { answer: "", score: 0.8, start: 0, end: 0 },
          { answer: "VACUUM", score: 0.1, start: 0, end: 6 },
        ]),
      )
      .resolvesOnce(reply([{ generated_text: "VACUUM reclaims space [1]. Nobody knows why." }]))
      .resolvesOnce(reply([{ generated_text: "The passages do not say." }]));
    const runtime = new SageMakerRuntimeClient({ region: "us-east-1" });
    const passage = {
      id: "p1",
      corpus: "c",
      documentId: "d",
      sourcePath: "d",
      title: "",
      text: "VACUUM reclaims space of dead tuples.",
      ordinal: 0,
    };
    const reader = createSageMakerReader(runtime, "qa");
    const read = await reader.read("what is reclaimed?", [passage], 3);
    expect(read).toMatchObject({
      noAnswer: false,
      answers: [{ passageId: "p1", start: 25, end: 36, text: "dead tuples", score: 0.9 }],
      metadata: { model: "sagemaker:qa" },
    });
    expect(
      JSON.parse(
        new TextDecoder().decode(mock.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.Body as Uint8Array),
      ),
    ).toEqual({
      inputs: { question: "what is reclaimed?", context: passage.text },
      parameters: { top_k: 3, handle_impossible_answer: true },
    });
    const abstained = await reader.read("who wrote it?", [passage], 3);
    expect(abstained).toMatchObject({ noAnswer: true, answers: [], bestGuess: { text: "VACUUM", score: 0.1 } });
    const rag = await createSageMakerGenerator(runtime, "llm").answer("what does vacuum do?", [passage]);
    expect(rag.sentences).toEqual([
      { text: "VACUUM reclaims space.", citations: [{ passageId: "p1", start: 0, end: passage.text.length }] },
    ]);
    expect(rag.noAnswer).toBe(false);
    const none = await createSageMakerGenerator(runtime, "llm").answer("who wrote it?", [passage]);
    expect(none).toMatchObject({ noAnswer: true, answer: "", sentences: [] });
  });
});
