import {
  CreateTransformJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  ResourceInUse,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { InvokeEndpointCommand, ModelError, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "@genq/core";
import {
  createSageMakerDeployer,
  createSageMakerEncoder,
  createSageMakerQueryGenerator,
  createSageMakerTrainer,
  describeJob,
  embeddingTransformRequest,
  translateSageMakerEvent,
  writePassageManifest,
} from "@genq/aws";
import { SAGEMAKER_ROLE, sourceDirTarball, startSageMakerWorld } from "./fixtures.ts";
import { readTarGz } from "./model-containers.ts";
import type { SageMakerServer } from "./sagemaker-server.ts";

const BUCKET = "genq-sim";
const ROLE = SAGEMAKER_ROLE;
let world: Awaited<ReturnType<typeof startSageMakerWorld>>;
let blobs: BlobStore;
let sim: SageMakerServer;
let sagemaker: SageMakerClient;
let runtime: SageMakerRuntimeClient;

beforeAll(async () => {
  world = await startSageMakerWorld(BUCKET);
  ({ blobs, sim } = world);
  ({ sagemaker, runtime } = sim.clients());
}, 120_000);
afterAll(() => world?.stop());

const lines = async (key: string) =>
  new TextDecoder()
    .decode(await blobs.get(key))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const passage = (id: string, text: string) => ({
  id,
  corpus: "docs",
  documentId: `${id}.md`,
  sourcePath: `${id}.md`,
  title: id === "p1" ? "Vacuum" : "",
  text,
  ordinal: 0,
});

describe("SageMaker simulator: batch transform on the stock Hugging Face container", () => {
  // The toolkit decodes application/json, text/csv, npy, images and audio only; anything else is
  // UnsupportedFormatError, turned into a 400 by handle() (aws/sagemaker-huggingface-inference-toolkit
  // decoder_encoder.py, handler_service.py; the message text is sagemaker-inference-toolkit errors.py).
  it("fails a job that sends application/jsonlines, with the toolkit's UnsupportedFormatError", async () => {
    await blobs.put(
      "corpora/docs/runs/r0/transform-input/part.jsonl",
      JSON.stringify({ passageId: "p1", inputs: "VACUUM reclaims storage." }) + "\n",
    );
    const request = createSageMakerQueryGenerator(sagemaker, {
      bucket: BUCKET,
      roleArn: ROLE,
      modelName: "genq-query-gen",
      instanceType: "ml.g5.xlarge",
      queriesPerPassage: 3,
    }).request("docs", "r0");
    await sagemaker.send(
      new CreateTransformJobCommand({
        ...request,
        TransformInput: { ...request.TransformInput!, ContentType: "application/jsonlines" },
      }),
    );
    await sim.idle();
    const job = await sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: "genq-r0-qg" }));
    expect(job.TransformJobStatus).toBe("Failed");
    expect(job.FailureReason).toContain("answered 400");
    expect(job.FailureReason).toContain(
      "Content type application/jsonlines is not supported by this framework.\n\n            Please implement input_fn",
    );
    const event = sim.events.filter((e) => e.detail.TransformJobName === "genq-r0-qg").at(-1)!;
    expect(translateSageMakerEvent(event)).toMatchObject({
      kind: "event",
      event: { type: "stage.failed", detail: { runId: "r0", stage: "generating", reason: job.FailureReason } },
    });
  });

  // JoinSource=Input adds the answer to each JSON input object as "SageMakerOutput"; AssembleWith=Line
  // ends each record with a newline; outputs are named <input>.out (SageMaker API reference:
  // DataProcessing, TransformOutput).
  it("runs the query-generation request genq sends and writes joined .out lines, announcing completion", async () => {
    const input = [
      {
        passageId: "p1",
        inputs: "Vacuum\nVACUUM reclaims storage occupied by dead tuples. It also updates statistics.",
      },
      { passageId: "p2", inputs: "An index lets the server find rows faster than a sequential scan." },
    ];
    await blobs.put(
      "corpora/docs/runs/r1/transform-input/h1.jsonl",
      input
        .map((l) =>
          JSON.stringify({
            ...l,
            parameters: { max_length: 32, num_return_sequences: 3, top_p: 0.95, do_sample: true, truncation: true },
          }),
        )
        .join("\n") + "\n",
    );
    const qg = createSageMakerQueryGenerator(sagemaker, {
      bucket: BUCKET,
      roleArn: ROLE,
      modelName: "genq-query-gen",
      instanceType: "ml.g5.xlarge",
      queriesPerPassage: 3,
    });
    await qg.start({ corpus: "docs", runId: "r1", passageKeys: [] });
    await expect(sagemaker.send(new CreateTransformJobCommand(qg.request("docs", "r1")))).rejects.toBeInstanceOf(
      ResourceInUse,
    );
    await sim.idle();
    const out = await lines("corpora/docs/runs/r1/transform-output/h1.jsonl.out");
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({
      ...input[0],
      parameters: expect.any(Object),
      SageMakerOutput: [
        { generated_text: "vacuum" },
        { generated_text: expect.any(String) },
        { generated_text: expect.any(String) },
      ],
    });
    const events = sim.events.filter((e) => e.detail.TransformJobName === "genq-r1-qg");
    expect(events.map((e) => e.detail.TransformJobStatus)).toEqual(["InProgress", "Completed"]);
    expect(events[1]!.detail).toMatchObject({
      Tags: { "genq:corpus": "docs", "genq:run": "r1" },
      TransformInput: { ContentType: "application/json" },
    });
    expect(translateSageMakerEvent(events[1])).toEqual({
      kind: "transform-completed",
      corpus: "docs",
      runId: "r1",
      jobName: "genq-r1-qg",
      job: "queries",
    });
  });

  it("fails a job whose generation settings the pipeline refuses (several greedy sequences)", async () => {
    await blobs.put(
      "corpora/docs/runs/r2/transform-input/h1.jsonl",
      JSON.stringify({ passageId: "p1", inputs: "text here.", parameters: { num_return_sequences: 3 } }) + "\n",
    );
    await sagemaker.send(
      new CreateTransformJobCommand(
        createSageMakerQueryGenerator(sagemaker, {
          bucket: BUCKET,
          roleArn: ROLE,
          modelName: "genq-query-gen",
          instanceType: "ml.g5.xlarge",
          queriesPerPassage: 3,
        }).request("docs", "r2"),
      ),
    );
    await sim.idle();
    expect(
      (await sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: "genq-r2-qg" }))).FailureReason,
    ).toMatch(/Greedy methods without beam search do not support `num_return_sequences` different than 1 \(got 3\)/);
  });

  // SageMaker answers Describe* of a job that was never created with a ValidationException, not the
  // ResourceNotFound its API reference lists: "Could not find requested job with name …" for transforms,
  // "Requested resource not found." for training (aws-controllers-k8s/sagemaker-controller generator.yaml,
  // the 404 codes of TransformJob and TrainingJob; aws/aws-sdk issue 165). describeJob must read both as
  // "no such job", or every stage's first look (before it starts its job) would throw.
  it("reads a job that does not exist as null, from the ValidationException SageMaker answers", async () => {
    await expect(
      sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: "genq-nope-qg" })),
    ).rejects.toMatchObject({ name: "ValidationException", message: /Could not find requested job/ });
    await expect(
      sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: "genq-nope-train" })),
    ).rejects.toMatchObject({ name: "ValidationException", message: "Requested resource not found." });
    expect(await describeJob(sagemaker, "transform", "genq-nope-qg")).toBeNull();
    expect(await describeJob(sagemaker, "training", "genq-nope-train")).toBeNull();
  });
});

describe("SageMaker simulator: training, models and endpoints", () => {
  const trainer = (sourceDir = `s3://${BUCKET}/code/sourcedir.tar.gz`) =>
    createSageMakerTrainer(sagemaker, {
      bucket: BUCKET,
      roleArn: ROLE,
      trainingImage: "hf-training",
      instanceType: "ml.g5.xlarge",
      sourceDir,
      baseModel: "sentence-transformers/msmarco-distilbert-base-tas-b",
      hyperparameters: { epochs: 1 },
      maxRuntimeSeconds: 3600,
    });
  const deployer = () =>
    createSageMakerDeployer(sagemaker, {
      roleArn: ROLE,
      inferenceImage: "hf-inference",
      mode: { kind: "serverless", memoryMb: 2048, maxConcurrency: 5 },
    });

  // SageMaker writes the model at <S3OutputPath>/<job name>/output/model.tar.gz (DescribeTrainingJob
  // ModelArtifacts); train.py packs code/inference.py and code/requirements.txt into SM_MODEL_DIR.
  it("trains on the pairs channel and writes model.tar.gz with code/ at SageMaker's output path", async () => {
    const pairs = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        query: `what does topic${i % 4} do`,
        passage: `topic${i % 4} explains things number ${i}`,
        passageId: `p${i}`,
      }),
    );
    await blobs.put("corpora/docs/runs/r3/pairs/h1.jsonl", pairs.join("\n") + "\n");
    await trainer().start({ corpus: "docs", runId: "r3", pairsKey: "x", passageKeys: [] });
    await sim.idle();
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: "genq-r3-train" }));
    expect(job.TrainingJobStatus).toBe("Completed");
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(
      `s3://${BUCKET}/corpora/docs/runs/r3/model/genq-r3-train/output/model.tar.gz`,
    );
    const archive = readTarGz(await blobs.get("corpora/docs/runs/r3/model/genq-r3-train/output/model.tar.gz"));
    expect([...archive.keys()].sort()).toEqual([
      "code/inference.py",
      "code/requirements.txt",
      "manifest.json",
      "model.bin",
      "training_stats.json",
    ]);
    const event = sim.events.filter((e) => e.detail.TrainingJobName === "genq-r3-train").at(-1)!;
    expect(translateSageMakerEvent(event)).toMatchObject({
      kind: "event",
      event: { type: "training.job.completed", detail: { runId: "r3", modelKey: "corpora/docs/runs/r3/model/" } },
    });
  });

  it("fails training whose source directory lacks inference.py, as train.py's packaging does", async () => {
    await blobs.put("code/broken.tar.gz", sourceDirTarball(["inference.py"]));
    await blobs.put("corpora/docs/runs/r4/pairs/h1.jsonl", JSON.stringify({ query: "q", passage: "p" }) + "\n");
    await trainer(`s3://${BUCKET}/code/broken.tar.gz`).start({
      corpus: "docs",
      runId: "r4",
      pairsKey: "x",
      passageKeys: [],
    });
    await sim.idle();
    expect(
      (await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: "genq-r4-train" }))).FailureReason,
    ).toMatch(/inference.py is missing next to train.py/);
  });

  it("refuses a model whose archive has no code/inference.py, and serverless memory off the 1 GB steps", async () => {
    await blobs.put(
      "models/bare.tar.gz",
      (await import("./model-containers.ts")).writeTarGz(new Map([["model.bin", "x"]])),
    );
    await expect(deployer().deploy("docs", "bare", `s3://${BUCKET}/models/bare.tar.gz`)).rejects.toThrow(
      /has no code\/inference.py/,
    );
    await expect(deployer().deploy("docs", "missing", `s3://${BUCKET}/models/missing.tar.gz`)).rejects.toThrow(
      /Could not find model data at s3:\/\/genq-sim\/models\/missing.tar.gz/,
    );
    const odd = createSageMakerDeployer(sagemaker, {
      roleArn: ROLE,
      inferenceImage: "hf-inference",
      mode: { kind: "serverless", memoryMb: 1500, maxConcurrency: 5 },
    });
    await expect(
      odd.deploy("docs", "r3", `s3://${BUCKET}/corpora/docs/runs/r3/model/genq-r3-train/output/model.tar.gz`),
    ).rejects.toThrow(/1500 MB is not one of 1024, 2048/);
    await odd.retire("r3");
  });

  it("serves the trained model through an endpoint that speaks inference.py's protocol", async () => {
    const endpoint = await deployer().deploy(
      "docs",
      "r3",
      `s3://${BUCKET}/corpora/docs/runs/r3/model/genq-r3-train/output/model.tar.gz`,
    );
    await sim.idle();
    const states = sim.events.filter((e) => e.detail.EndpointName === endpoint).map((e) => e.detail.EndpointStatus);
    expect(states).toEqual(["CREATING", "IN_SERVICE"]);
    expect(translateSageMakerEvent(sim.events.at(-1))).toMatchObject({
      kind: "event",
      event: { type: "model.deployed", detail: { runId: "r3", endpoint } },
    });
    const encoder = createSageMakerEncoder(runtime, endpoint, 32);
    const [q, p1, p2] = await encoder.encode(
      ["what does topic1 do", "topic1 explains things", "topic2 explains things"],
      "query",
    );
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    expect(dot(q!, p1!)).toBeGreaterThan(dot(q!, p2!));
    const bad = await runtime
      .send(
        new InvokeEndpointCommand({
          EndpointName: endpoint,
          ContentType: "application/json",
          Body: new TextEncoder().encode('{"inputs": 3}'),
        }),
      )
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ModelError);
    expect(bad).toMatchObject({
      OriginalStatusCode: 400,
      OriginalMessage: '"inputs" must be a string or a list of strings',
    });
    await deployer().retire("r3");
    await expect(encoder.encode(["x"], "query")).rejects.toThrow(
      /Endpoint genq-r3-enc of account 123456789012 not found/,
    );
  });

  // ManifestFile input, MultiRecord mini-batches of application/jsonlines, read by inference.py's input_fn.
  it("embeds passage objects listed in a manifest and answers one line per passage with its vector", async () => {
    const objects = {
      "corpora/docs/passages/h1.jsonl": [
        passage("p1", "VACUUM reclaims storage."),
        passage("p2", "Indexes speed up reads."),
      ],
      "corpora/docs/passages/h2.jsonl": [passage("p3", "pg_dump writes a snapshot.")],
    };
    for (const [key, ps] of Object.entries(objects))
      await blobs.put(key, ps.map((p) => JSON.stringify(p)).join("\n") + "\n");
    await deployer().deploy(
      "docs",
      "r5",
      `s3://${BUCKET}/corpora/docs/runs/r3/model/genq-r3-train/output/model.tar.gz`,
    );
    await writePassageManifest(blobs, {
      bucket: BUCKET,
      corpus: "docs",
      runId: "r5",
      passagesKeys: Object.keys(objects),
    });
    await sagemaker.send(
      new CreateTransformJobCommand(
        embeddingTransformRequest({ bucket: BUCKET, instanceType: "ml.g5.xlarge" }, "docs", "r5", "genq-r5-enc", {
          kind: "manifest",
        }),
      ),
    );
    await sim.idle();
    expect(
      (await sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: "genq-r5-emb" }))).TransformJobStatus,
    ).toBe("Completed");
    const h1 = await lines("corpora/docs/runs/r5/embed-output/h1.jsonl.out");
    expect(h1.map((r) => r.id)).toEqual(["p1", "p2"]);
    expect(h1[0]).toEqual({ ...objects["corpora/docs/passages/h1.jsonl"][0], embedding: expect.any(Array) });
    expect(h1[0].embedding).toHaveLength(32);
    expect((await lines("corpora/docs/runs/r5/embed-output/h2.jsonl.out")).map((r) => r.id)).toEqual(["p3"]);
  });
});
