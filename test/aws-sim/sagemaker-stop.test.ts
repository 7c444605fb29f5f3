import {
  CreateTransformJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  StopTrainingJobCommand,
  StopTransformJobCommand,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, type BlobStore } from "@genq/core";
import {
  createSageMakerDeployer,
  createSageMakerQueryGenerator,
  createSageMakerRetirer,
  createSageMakerTrainer,
  stopRunJobs,
  translateSageMakerEvent,
} from "@genq/aws";
import { SAGEMAKER_ROLE, startSageMakerWorld } from "./fixtures.ts";
import type { SageMakerServer } from "./sagemaker-server.ts";

// StopTrainingJob / StopTransformJob as the service behaves (boto/botocore
// botocore/data/sagemaker/2017-07-24/service-2.json): no output; "SageMaker changes the status of the job
// to Stopping. After SageMaker stops the job, it sets the status to Stopped." A job that is not
// InProgress is refused with a ValidationException ("The request was rejected because the training job
// is in status Stopped.", awslabs/benchmark-ai issue 928); a missing one with SageMaker's not-found
// ValidationException (aws/aws-sdk issue 165).

const BUCKET = "genq-stop";
let world: Awaited<ReturnType<typeof startSageMakerWorld>>;
let blobs: BlobStore;
let sim: SageMakerServer;
let sagemaker: SageMakerClient;

beforeAll(async () => {
  world = await startSageMakerWorld(BUCKET);
  ({ blobs, sim } = world);
  ({ sagemaker } = sim.clients());
}, 120_000);
afterAll(() => world?.stop());

const trainer = () =>
  createSageMakerTrainer(sagemaker, {
    bucket: BUCKET,
    roleArn: SAGEMAKER_ROLE,
    trainingImage: "hf-training",
    instanceType: "ml.g5.xlarge",
    sourceDir: `s3://${BUCKET}/code/sourcedir.tar.gz`,
    baseModel: "sentence-transformers/msmarco-distilbert-base-tas-b",
    hyperparameters: { epochs: 1 },
    maxRuntimeSeconds: 3600,
  });
const queryGeneration = (runId: string) =>
  createSageMakerQueryGenerator(sagemaker, {
    bucket: BUCKET,
    roleArn: SAGEMAKER_ROLE,
    modelName: "genq-query-gen",
    instanceType: "ml.g5.xlarge",
    queriesPerPassage: 3,
  }).request("docs", runId);
const jobEvents = (name: string) =>
  sim.events
    .filter((e) => e.detail.TrainingJobName === name || e.detail.TransformJobName === name)
    .map((e) => e.detail.TrainingJobStatus ?? e.detail.TransformJobStatus);
const trainingStatus = async (name: string) =>
  (await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }))).TrainingJobStatus;

describe("SageMaker simulator: stopping jobs", () => {
  it("stops a training job in progress: Stopping, then Stopped, each announced as SageMaker does", async () => {
    const release = sim.hold((name) => name === "genq-s1-train");
    await blobs.put("corpora/docs/runs/s1/pairs/h1.jsonl", JSON.stringify({ query: "q", passage: "p" }) + "\n");
    await trainer().start({ corpus: "docs", runId: "s1", pairsKey: "x", passageKeys: [] });
    await sim.idle();
    expect(await trainingStatus("genq-s1-train")).toBe("InProgress");

    expect(await sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: "genq-s1-train" }))).not.toHaveProperty(
      "TrainingJobStatus",
    );
    await sim.idle();
    const described = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: "genq-s1-train" }));
    expect(described).toMatchObject({ TrainingJobStatus: "Stopped", SecondaryStatus: "Stopped" });
    expect(described.ModelArtifacts).toBeUndefined();
    expect(jobEvents("genq-s1-train")).toEqual(["InProgress", "Stopping", "Stopped"]);
    const event = sim.events.findLast((e) => e.detail.TrainingJobName === "genq-s1-train")!;
    expect(event.detail.Tags).toEqual({ "genq:corpus": "docs", "genq:run": "s1" });
    expect(translateSageMakerEvent(event)).toMatchObject({
      kind: "event",
      event: { type: "stage.failed", detail: { runId: "s1", stage: "training" } },
    });

    await expect(
      sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: "genq-s1-train" })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message: "The request was rejected because the training job is in status Stopped.",
    });
    release();
    await sim.idle();
    expect(jobEvents("genq-s1-train")).toEqual(["InProgress", "Stopping", "Stopped"]);
  });

  it("refuses to stop a job that does not exist or has completed", async () => {
    await expect(
      sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: "genq-nope-train" })),
    ).rejects.toMatchObject({ name: "ValidationException", message: "Requested resource not found." });
    await expect(
      sagemaker.send(new StopTransformJobCommand({ TransformJobName: "genq-nope-qg" })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message: "Could not find requested job with name genq-nope-qg",
    });

    await blobs.put(
      "corpora/docs/runs/s2/transform-input/h1.jsonl",
      JSON.stringify({ passageId: "p1", inputs: "VACUUM reclaims storage." }) + "\n",
    );
    await sagemaker.send(new CreateTransformJobCommand(queryGeneration("s2")));
    await sim.idle();
    await expect(sagemaker.send(new StopTransformJobCommand({ TransformJobName: "genq-s2-qg" }))).rejects.toMatchObject(
      {
        name: "ValidationException",
        message: "The request was rejected because the transform job is in status Completed.",
      },
    );
    expect(jobEvents("genq-s2-qg")).toEqual(["InProgress", "Completed"]);
  });

  it("a transform stopped while its work runs ends Stopped, not Completed", async () => {
    await blobs.put(
      "corpora/docs/runs/s3/transform-input/h1.jsonl",
      JSON.stringify({ passageId: "p1", inputs: "An index finds rows fast." }) + "\n",
    );
    const release = sim.hold((name) => name === "genq-s3-qg");
    await sagemaker.send(new CreateTransformJobCommand(queryGeneration("s3")));
    await sim.idle();
    release();
    // The released job's work is scheduled; the stop comes before it returns.
    sim.api.StopTransformJob({ TransformJobName: "genq-s3-qg" });
    expect(sim.api.DescribeTransformJob({ TransformJobName: "genq-s3-qg" }).TransformJobStatus).toBe("Stopping");
    await sim.idle();
    const described = await sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: "genq-s3-qg" }));
    expect(described.TransformJobStatus).toBe("Stopped");
    expect(jobEvents("genq-s3-qg")).toEqual(["InProgress", "Stopping", "Stopped"]);
  });

  it("genq's retirer stops what of a run still runs, leaves what ended, and is idempotent", async () => {
    await blobs.put(
      "corpora/docs/runs/s4/transform-input/h1.jsonl",
      JSON.stringify({ passageId: "p1", inputs: "pg_dump writes a snapshot." }) + "\n",
    );
    await sagemaker.send(new CreateTransformJobCommand(queryGeneration("s4")));
    await blobs.put("corpora/docs/runs/s4/pairs/h1.jsonl", JSON.stringify({ query: "q", passage: "p" }) + "\n");
    const release = sim.hold((name) => name === "genq-s4-train");
    await trainer().start({ corpus: "docs", runId: "s4", pairsKey: "x", passageKeys: [] });
    await sim.idle();

    const deployer = createSageMakerDeployer(sagemaker, {
      roleArn: SAGEMAKER_ROLE,
      inferenceImage: "hf-inference",
      mode: { kind: "serverless", memoryMb: 2048, maxConcurrency: 1 },
    });
    await createSageMakerRetirer(sagemaker, deployer, silentLogger).retire("s4-model");
    await sim.idle();
    expect(await trainingStatus("genq-s4-train")).toBe("Stopped");
    expect(jobEvents("genq-s4-qg")).toEqual(["InProgress", "Completed"]);
    expect(await stopRunJobs(sagemaker, "s4")).toEqual([
      { job: "genq-s4-qg", outcome: "left", status: "Completed" },
      { job: "genq-s4-train", outcome: "left", status: "Stopped" },
      { job: "genq-s4-emb", outcome: "left", status: "missing" },
    ]);
    await createSageMakerRetirer(sagemaker, deployer, silentLogger).retire("s4-model");
    release();
    await sim.idle();
    expect(jobEvents("genq-s4-train")).toEqual(["InProgress", "Stopping", "Stopped"]);
  });
});
