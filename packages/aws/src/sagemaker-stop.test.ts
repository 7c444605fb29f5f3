import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  SageMakerClient,
  SageMakerServiceException,
  StopTrainingJobCommand,
  StopTransformJobCommand,
} from "@aws-sdk/client-sagemaker";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { TransientError, type Logger } from "@genq/core";
import { createSageMakerDeployer } from "./sagemaker-endpoints.ts";
import { createSageMakerRetirer, stopJob, stoppedJobReason } from "./sagemaker-stop.ts";

// What SageMaker answers, per the botocore service model (boto/botocore
// botocore/data/sagemaker/2017-07-24/service-2.json): StopTrainingJob and StopTransformJob return no
// output and list only ResourceNotFound, but the service answers a missing job with a
// ValidationException ("Requested resource not found." for training, "Could not find requested job with
// name …" for transforms; aws/aws-sdk issue 165, aws-controllers-k8s/sagemaker-controller generator.yaml)
// and refuses a job that is not InProgress with a ValidationException "The request was rejected because
// the training job is in status Stopped." (awslabs/benchmark-ai issue 928). The ACK SageMaker
// controller likewise stops a job only while it is InProgress (pkg/resource/transform_job/sdk.go sdkDelete).
const validation = (message: string) =>
  new SageMakerServiceException({ name: "ValidationException", $fault: "client", $metadata: {}, message });
const missingTraining = validation("Requested resource not found.");
const missingTransform = (name: string) => validation(`Could not find requested job with name ${name}`);

const sm = mockClient(SageMakerClient);
const client = new SageMakerClient({ region: "us-east-1" });
let logged: Array<[string, string, Record<string, unknown> | undefined]>;
const logger: Logger = {
  debug: () => {},
  info: (m, a) => void logged.push(["info", m, a]),
  warn: (m, a) => void logged.push(["warn", m, a]),
  error: (m, a) => void logged.push(["error", m, a]),
};
const deployer = createSageMakerDeployer(client, {
  roleArn: "role",
  inferenceImage: "img",
  mode: { kind: "serverless", memoryMb: 2048, maxConcurrency: 1 },
});

beforeEach(() => {
  sm.reset();
  logged = [];
  sm.on(DescribeTransformJobCommand).callsFake((i: { TransformJobName: string }) => {
    throw missingTransform(i.TransformJobName);
  });
  sm.on(DescribeTrainingJobCommand).rejects(missingTraining);
  sm.on(DeleteEndpointCommand).resolves({});
  sm.on(DeleteEndpointConfigCommand).resolves({});
  sm.on(DeleteModelCommand).resolves({});
});

describe("stopping a run's SageMaker jobs", () => {
  it("stops a job in progress and leaves one that ended, is stopping or does not exist", async () => {
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: "InProgress" } as never);
    sm.on(StopTrainingJobCommand).resolves({});
    expect(await stopJob(client, "training", "genq-r1-train")).toEqual({ job: "genq-r1-train", outcome: "stopped" });
    expect(sm.commandCalls(StopTrainingJobCommand)[0]!.args[0].input).toEqual({ TrainingJobName: "genq-r1-train" });

    for (const status of ["Completed", "Failed", "Stopping", "Stopped"] as const) {
      sm.on(DescribeTransformJobCommand).resolves({ TransformJobStatus: status } as never);
      expect(await stopJob(client, "transform", "genq-r1-qg")).toEqual({ job: "genq-r1-qg", outcome: "left", status });
    }
    sm.on(DescribeTransformJobCommand).rejects(missingTransform("genq-r1-emb"));
    expect(await stopJob(client, "transform", "genq-r1-emb")).toMatchObject({ outcome: "left", status: "missing" });
    expect(sm.commandCalls(StopTransformJobCommand)).toHaveLength(0);
  });

  it("takes a job that ended between Describe and Stop (which SageMaker refuses) as left, not failed", async () => {
    sm.on(DescribeTrainingJobCommand)
      .resolvesOnce({ TrainingJobStatus: "InProgress" } as never)
      .resolves({ TrainingJobStatus: "Completed" } as never);
    sm.on(StopTrainingJobCommand).rejects(
      validation("The request was rejected because the training job is in status Completed."),
    );
    expect(await stopJob(client, "training", "genq-r1-train")).toEqual({
      job: "genq-r1-train",
      outcome: "left",
      status: "Completed",
    });
  });

  it("retiring a run stops its jobs in progress, then deletes its endpoint; a second retire finds nothing to do", async () => {
    sm.on(DescribeTransformJobCommand, { TransformJobName: "genq-r1-qg" }).resolves({
      TransformJobStatus: "Completed",
    } as never);
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: "InProgress" } as never);
    sm.on(StopTrainingJobCommand).callsFake(() => {
      sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: "Stopping" } as never);
      return {};
    });
    const retirer = createSageMakerRetirer(client, deployer, logger);
    await retirer.retire("r1-model");
    expect(sm.commandCalls(StopTrainingJobCommand)).toHaveLength(1);
    expect(sm.commandCalls(StopTransformJobCommand)).toHaveLength(0);
    expect(sm.commandCalls(DeleteEndpointCommand)[0]!.args[0].input).toEqual({ EndpointName: "genq-r1-enc" });
    expect(logged).toEqual([["info", "SageMaker job stopped", { runId: "r1", job: "genq-r1-train" }]]);

    await retirer.retire("r1-model");
    expect(sm.commandCalls(StopTrainingJobCommand)).toHaveLength(1);
    expect(sm.commandCalls(DeleteEndpointCommand)).toHaveLength(2);
  });

  it("one job that cannot be stopped keeps neither the other jobs nor the endpoint's deletion from being tried", async () => {
    sm.on(DescribeTransformJobCommand).resolves({ TransformJobStatus: "InProgress" } as never);
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: "InProgress" } as never);
    sm.on(StopTransformJobCommand, { TransformJobName: "genq-r1-qg" }).rejects(
      new SageMakerServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        $metadata: {},
        message: "not authorized to perform: sagemaker:StopTransformJob",
      }),
    );
    sm.on(StopTransformJobCommand, { TransformJobName: "genq-r1-emb" }).resolves({});
    sm.on(StopTrainingJobCommand).resolves({});
    const retire = createSageMakerRetirer(client, deployer, logger).retire("r1-model");
    await expect(retire).rejects.toThrow(
      "could not give back run r1's SageMaker resources: job genq-r1-qg: not authorized to perform: sagemaker:StopTransformJob",
    );
    await expect(retire).rejects.not.toBeInstanceOf(TransientError);
    expect(
      sm
        .commandCalls(StopTransformJobCommand)
        .map((c) => c.args[0].input.TransformJobName)
        .sort(),
    ).toEqual(["genq-r1-emb", "genq-r1-qg"]);
    expect(sm.commandCalls(StopTrainingJobCommand)).toHaveLength(1);
    expect(sm.commandCalls(DeleteModelCommand)).toHaveLength(1);
    expect(logged.filter(([level]) => level === "error")).toEqual([
      [
        "error",
        "could not stop a SageMaker job",
        { runId: "r1", job: "genq-r1-qg", reason: "not authorized to perform: sagemaker:StopTransformJob" },
      ],
    ]);
  });

  it("reports a retire that failed only for throttling as transient, so it is retried", async () => {
    sm.on(DescribeTrainingJobCommand).rejects(new TransientError("ThrottlingException: Rate exceeded"));
    const retire = createSageMakerRetirer(client, deployer, logger).retire("r1-model");
    await expect(retire).rejects.toBeInstanceOf(TransientError);
    expect(sm.commandCalls(DeleteEndpointCommand)).toHaveLength(1);
  });

  it("leaves a model id that names no run alone", async () => {
    await createSageMakerRetirer(client, deployer, logger).retire("bm25");
    expect(sm.calls()).toHaveLength(0);
  });
});

describe("why a stopped job failed its stage", () => {
  it("names the job and tells a time limit from a stop made outside genq", () => {
    expect(stoppedJobReason("genq-r1-train", "Stopped")).toBe(
      "the SageMaker training job genq-r1-train was stopped before it finished (StopTrainingJob from outside genq)",
    );
    // DescribeTrainingJob SecondaryStatus "MaxRuntimeExceeded": "The job stopped because it exceeded the
    // maximum allowed runtime" (botocore service-2.json, DescribeTrainingJobResponse SecondaryStatus).
    expect(stoppedJobReason("genq-r1-train", "MaxRuntimeExceeded")).toBe(
      "the SageMaker training job genq-r1-train was stopped at its time limit (MaxRuntimeInSeconds) before it finished",
    );
    expect(stoppedJobReason("genq-r1-emb")).toBe(
      "the SageMaker embedding transform genq-r1-emb was stopped before it finished (StopTransformJob from outside genq)",
    );
  });
});
