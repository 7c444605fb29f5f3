import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { CreateTrainingJobCommand, CreateTransformJobCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { createEventBridgePublisher } from "./eventbridge-publisher.ts";
import {
  createSageMakerQueryGenerator,
  createSageMakerTrainer,
  embeddingTransformRequest,
  jobNames,
} from "./sagemaker-jobs.ts";
import { transformInputLine } from "./transform-input.ts";

const uploaded = (i: number) => ({
  id: `e${i}`,
  type: "document.uploaded" as const,
  corpus: "docs",
  detail: { key: `corpora/docs/docs/${i}.md`, size: i },
});

describe("EventBridge publisher", () => {
  it("sends batches of 10 to the bus, the event type as DetailType and the event as Detail", async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const publisher = createEventBridgePublisher(new EventBridgeClient({ region: "us-east-1" }), {
      busName: "genq-bus",
      now: () => new Date("2026-01-01T00:00:00Z"),
    });
    await publisher.publish(Array.from({ length: 23 }, (_, i) => uploaded(i)));
    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
    const first = calls[0]!.args[0].input.Entries![0]!;
    expect(first).toMatchObject({ EventBusName: "genq-bus", Source: "genq", DetailType: "document.uploaded" });
    expect(JSON.parse(first.Detail!)).toMatchObject({
      id: "e0",
      type: "document.uploaded",
      corpus: "docs",
      time: "2026-01-01T00:00:00.000Z",
    });
  });

  it("retries only the entries EventBridge failed, and gives up with the reason", async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: "a" }, { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "b" }] });
    const publisher = createEventBridgePublisher(new EventBridgeClient({ region: "us-east-1" }), {
      busName: "genq-bus",
      baseDelayMs: 1,
    });
    await publisher.publish([uploaded(1), uploaded(2)]);
    const retried = eb.commandCalls(PutEventsCommand)[1]!.args[0].input.Entries!;
    expect(retried.map((e) => JSON.parse(e.Detail!).id)).toEqual(["e2"]);

    eb.reset();
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "boom" }],
    });
    await expect(publisher.publish([uploaded(3)])).rejects.toThrow(
      /rejected 1 event\(s\) after 4 attempts: InternalFailure: boom/,
    );
  });
});

describe("SageMaker jobs", () => {
  const sm = () => new SageMakerClient({ region: "us-east-1" });

  // The stock Hugging Face container decodes application/json (and CSV, npy, images, audio) and answers
  // 400 UnsupportedFormatError to application/jsonlines: aws/sagemaker-huggingface-inference-toolkit,
  // src/sagemaker_huggingface_inference_toolkit/decoder_encoder.py (_decoder_map) and content_types.py.
  // Its default predict() pops "inputs" and "parameters" and ignores other keys (handler_service.py).
  // SplitType=Line with SingleRecord sends one line per request; JoinSource=Input adds the answer to the
  // input object as "SageMakerOutput"; AssembleWith=Line ends each record with a newline (SageMaker API
  // reference: TransformInput, DataProcessing, TransformOutput).
  it("starts the query-generation batch transform as one application/json request per line, joined to its input", async () => {
    const mock = mockClient(SageMakerClient);
    mock.on(CreateTransformJobCommand).resolves({ TransformJobArn: "arn" });
    const qg = createSageMakerQueryGenerator(sm(), {
      bucket: "b",
      roleArn: "r",
      modelName: "genq-query-gen",
      instanceType: "ml.g5.xlarge",
      queriesPerPassage: 3,
    });
    expect(await qg.start({ corpus: "docs", runId: "run-1", passageKeys: [] })).toEqual({ jobId: "genq-run-1-qg" });
    const input = mock.commandCalls(CreateTransformJobCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      TransformJobName: "genq-run-1-qg",
      ModelName: "genq-query-gen",
      BatchStrategy: "SingleRecord",
      TransformInput: {
        ContentType: "application/json",
        SplitType: "Line",
        DataSource: {
          S3DataSource: { S3DataType: "S3Prefix", S3Uri: "s3://b/corpora/docs/runs/run-1/transform-input/" },
        },
      },
      TransformOutput: {
        Accept: "application/json",
        AssembleWith: "Line",
        S3OutputPath: "s3://b/corpora/docs/runs/run-1/transform-output/",
      },
      DataProcessing: { JoinSource: "Input" },
      Tags: [
        { Key: "genq:corpus", Value: "docs" },
        { Key: "genq:run", Value: "run-1" },
      ],
    });
    expect(JSON.parse(transformInputLine({ id: "p1", text: "VACUUM reclaims space." }, 3))).toEqual({
      passageId: "p1",
      inputs: "VACUUM reclaims space.",
      parameters: { max_length: 32, num_return_sequences: 3, top_p: 0.95, do_sample: true, truncation: true },
    });
  });

  // ManifestFile: a JSON array, first {"prefix": "s3://…/"}, then keys relative to it (SageMaker API
  // reference, TransformS3DataSource). MultiRecord packs whole lines up to MaxPayloadInMB per request
  // (CreateTransformJob, BatchStrategy); sagemaker/inference.py reads application/jsonlines.
  it("embeds the corpus from a manifest of its passage objects in JSON-lines mini-batches", () => {
    const request = embeddingTransformRequest(
      { bucket: "b", instanceType: "ml.g5.xlarge" },
      "docs",
      "run-1",
      "genq-run-1-enc",
      { kind: "manifest" },
    );
    expect(request).toMatchObject({
      TransformJobName: "genq-run-1-emb",
      ModelName: "genq-run-1-enc",
      BatchStrategy: "MultiRecord",
      MaxPayloadInMB: 1,
      TransformInput: {
        ContentType: "application/jsonlines",
        SplitType: "Line",
        DataSource: {
          S3DataSource: { S3DataType: "ManifestFile", S3Uri: "s3://b/corpora/docs/runs/run-1/embed-input.manifest" },
        },
      },
      TransformOutput: {
        Accept: "application/jsonlines",
        AssembleWith: "Line",
        S3OutputPath: "s3://b/corpora/docs/runs/run-1/embed-output/",
      },
    });
    expect(request.DataProcessing).toBeUndefined();
    expect(
      embeddingTransformRequest({ bucket: "b", instanceType: "ml.c5.xlarge" }, "docs", "run-1", "m", { kind: "prefix" })
        .TransformInput!.DataSource!.S3DataSource,
    ).toEqual({ S3DataType: "S3Prefix", S3Uri: "s3://b/corpora/docs/runs/run-1/embed-input/" });
  });

  it("starts the training job on train.py with the pairs as the train channel, and a second start is harmless", async () => {
    const mock = mockClient(SageMakerClient);
    mock
      .on(CreateTrainingJobCommand)
      .resolvesOnce({ TrainingJobArn: "arn" })
      .rejects(
        Object.assign(new Error("Training job names must be unique within an AWS account and region"), {
          name: "ResourceInUse",
        }),
      );
    const trainer = createSageMakerTrainer(sm(), {
      bucket: "b",
      roleArn: "arn:aws:iam::1:role/genq-sagemaker",
      trainingImage: "hf-image",
      instanceType: "ml.g5.xlarge",
      sourceDir: "s3://b/code/sourcedir.tar.gz",
      baseModel: "sentence-transformers/msmarco-distilbert-base-tas-b",
      hyperparameters: { epochs: 1, batch_size: 64 },
      maxRuntimeSeconds: 3600,
    });
    await trainer.start({ corpus: "docs", runId: "run-1", pairsKey: "k", passageKeys: [] });
    await trainer.start({ corpus: "docs", runId: "run-1", pairsKey: "k", passageKeys: [] });
    const input = mock.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      TrainingJobName: "genq-run-1-train",
      AlgorithmSpecification: { TrainingImage: "hf-image", TrainingInputMode: "File" },
      InputDataConfig: [
        { ChannelName: "train", DataSource: { S3DataSource: { S3Uri: "s3://b/corpora/docs/runs/run-1/pairs/" } } },
      ],
      OutputDataConfig: { S3OutputPath: "s3://b/corpora/docs/runs/run-1/model/" },
    });
    expect(input.HyperParameters).toEqual({
      base_model: '"sentence-transformers/msmarco-distilbert-base-tas-b"',
      epochs: "1",
      batch_size: "64",
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: '"s3://b/code/sourcedir.tar.gz"',
    });
    expect(jobNames.runOf("genq-run-1-train")).toEqual({ runId: "run-1", kind: "training" });
    expect(jobNames.runOf("someone-elses-job")).toBeNull();
  });
});
