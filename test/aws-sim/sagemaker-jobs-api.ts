import type {
  CreateModelCommandInput,
  CreateTrainingJobCommandInput,
  CreateTransformJobCommandInput,
} from "@aws-sdk/client-sagemaker";
import { ApiError, arn, checkName, seconds, tagMap, type SageMakerEvent } from "./sagemaker-api-common.ts";
import { startContainer } from "./model-containers.ts";
import type { S3Access } from "./s3-access.ts";
import { runTraining } from "./sagemaker-training.ts";
import { JobFailure, runTransform } from "./sagemaker-transform.ts";

type Status = "InProgress" | "Completed" | "Failed" | "Stopping" | "Stopped";
interface Job<R> {
  request: R;
  arn: string;
  type: SageMakerEvent["detail-type"];
  status: Status;
  failureReason?: string;
  created: Date;
  ended?: Date;
  artifact?: string;
  /** The state-change event's detail for the job as it stands now. */
  detail: () => Record<string, unknown>;
  /** Settles once the `InProgress` event went out. */
  started?: Promise<void>;
  /** The work of a job parked by a hold, not yet begun. */
  parked?: () => void;
  /** Settles once the `Stopping` event went out: `Stopped` follows it, never overtakes it. */
  stopping?: Promise<void>;
}

/**
 * Transform and training jobs of the SageMaker simulator: Create*, Describe* and Stop*. A job announces
 * `InProgress`, runs in the background and announces how it ended; `hold(match)` parks matching jobs after
 * their `InProgress` event (as a long job would be) until released or stopped.
 */
export function createJobsApi(o: {
  s3: S3Access;
  models: Map<string, { request: CreateModelCommandInput; archive: Map<string, Uint8Array> | null }>;
  emit: (type: SageMakerEvent["detail-type"], resource: string, detail: Record<string, unknown>) => Promise<void>;
  background: (work: () => Promise<void>) => void;
}) {
  const transforms = new Map<string, Job<CreateTransformJobCommandInput>>();
  const trainings = new Map<string, Job<CreateTrainingJobCommandInput>>();
  const holds = new Set<(jobName: string) => boolean>();

  const describeTransform = (name: string, j: Job<CreateTransformJobCommandInput>) => ({
    ...j.request,
    Tags: undefined,
    TransformJobName: name,
    TransformJobArn: j.arn,
    TransformJobStatus: j.status,
    FailureReason: j.failureReason,
    CreationTime: seconds(j.created),
    TransformStartTime: seconds(j.created),
    TransformEndTime: j.ended && seconds(j.ended),
  });
  const describeTraining = (name: string, j: Job<CreateTrainingJobCommandInput>) => ({
    ...j.request,
    Tags: undefined,
    TrainingJobName: name,
    TrainingJobArn: j.arn,
    TrainingJobStatus: j.status,
    SecondaryStatus: j.status === "InProgress" ? "Training" : j.status,
    FailureReason: j.failureReason,
    ModelArtifacts: j.artifact ? { S3ModelArtifacts: j.artifact } : undefined,
    CreationTime: seconds(j.created),
    TrainingStartTime: seconds(j.created),
    TrainingEndTime: j.ended && seconds(j.ended),
  });
  // Event details carry Describe*'s fields with times in epoch milliseconds and the tags as a map (fixtures in test/fixtures/events).
  const eventDetail = (described: Record<string, unknown>, tags: CreateTransformJobCommandInput["Tags"]) =>
    Object.fromEntries(
      Object.entries({ ...described, Tags: tagMap(tags) })
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, typeof v === "number" && k.endsWith("Time") ? Math.round(v * 1000) : v]),
    );

  const announce = <R>(j: Job<R>, detail = j.detail()) => o.emit(j.type, j.arn, detail);
  /** Run a job's work and record how it ended; a job stopped meanwhile ends `Stopped` whatever its work did. */
  const finish = async <R>(j: Job<R>, work: () => Promise<string | void>) => {
    let outcome: { status: "Completed"; artifact?: string } | { status: "Failed"; reason: string };
    try {
      outcome = { status: "Completed", artifact: (await work()) || undefined };
    } catch (error) {
      outcome = {
        status: "Failed",
        reason: error instanceof JobFailure ? error.message : `InternalServerError: ${(error as Error).message}`,
      };
    }
    if (j.stopping) {
      await j.stopping;
      j.status = "Stopped";
    } else if (outcome.status === "Completed") {
      j.status = "Completed";
      if (outcome.artifact) j.artifact = outcome.artifact;
    } else {
      j.status = "Failed";
      j.failureReason = outcome.reason;
    }
    j.ended = new Date();
    await announce(j);
  };
  /** Announce a new job `InProgress`, then run it, unless a hold parks it first. */
  const launch = <R>(name: string, j: Job<R>, work: () => Promise<string | void>) => {
    const inProgress = j.detail();
    let began!: () => void;
    j.started = new Promise((resolve) => (began = resolve));
    o.background(async () => {
      await announce(j, inProgress);
      began();
      if (j.stopping) await finish(j, async () => {});
      else if ([...holds].some((held) => held(name))) j.parked = () => o.background(() => finish(j, work));
      else await finish(j, work);
    });
  };
  // StopTrainingJob / StopTransformJob (SageMaker API reference; botocore data/sagemaker/2017-07-24/
  // service-2.json: no output, the job goes Stopping, then Stopped). Stopping a job that is not
  // InProgress is refused with a ValidationException (awslabs/benchmark-ai issue 928: "The request was
  // rejected because the training job is in status Stopped."; the transform's wording is modelled on it).
  const stop = <R>(j: Job<R> | undefined, kind: "training" | "transform", missing: string) => {
    if (!j) throw new ApiError("ValidationException", missing);
    if (j.status !== "InProgress")
      throw new ApiError(
        "ValidationException",
        `The request was rejected because the ${kind} job is in status ${j.status}.`,
      );
    j.status = "Stopping";
    const stopping = j.detail();
    j.stopping = j.started!.then(() => announce(j, stopping));
    const parked = j.parked;
    j.parked = undefined;
    // A parked job ends at once; one at work ends Stopped when its work returns (finish).
    if (parked) o.background(() => finish(j, async () => {}));
    else o.background(() => j.stopping!);
    return {};
  };

  const api = {
    CreateTransformJob(r: CreateTransformJobCommandInput) {
      const name = checkName("transformJobName", r.TransformJobName);
      if (transforms.has(name))
        throw new ApiError(
          "ResourceInUse",
          `Job name must be unique within an AWS account and region, and a job with this name already exists (${arn("transform-job", name)})`,
        );
      const model = o.models.get(r.ModelName ?? "");
      if (!model)
        throw new ApiError("ValidationException", `Could not find model "${arn("model", r.ModelName ?? "")}".`);
      const source = r.TransformInput?.DataSource?.S3DataSource;
      if (!source?.S3Uri || !["S3Prefix", "ManifestFile"].includes(source.S3DataType ?? ""))
        throw new ApiError(
          "ValidationException",
          `TransformInput S3DataType must be S3Prefix or ManifestFile, not ${source?.S3DataType}`,
        );
      if (r.BatchStrategy && (r.TransformInput?.SplitType ?? "None") === "None")
        throw new ApiError("ValidationException", "BatchStrategy needs SplitType Line, RecordIO or TFRecord");
      if ((r.MaxPayloadInMB ?? 6) > 100)
        throw new ApiError("ValidationException", "MaxPayloadInMB must be at most 100");
      if (!r.TransformOutput?.S3OutputPath)
        throw new ApiError("ValidationException", "TransformOutput.S3OutputPath is required");
      if (Object.keys(r.Environment ?? {}).length > 16)
        throw new ApiError("ValidationException", "Environment holds at most 16 entries");
      const j: Job<CreateTransformJobCommandInput> = {
        request: r,
        arn: arn("transform-job", name),
        status: "InProgress",
        created: new Date(),
        type: "SageMaker Transform Job State Change",
        detail: () => eventDetail(describeTransform(name, j), r.Tags),
      };
      transforms.set(name, j);
      launch(name, j, () =>
        runTransform(o.s3, r, startContainer(model.request.PrimaryContainer as never, model.archive)),
      );
      return { TransformJobArn: j.arn };
    },
    CreateTrainingJob(r: CreateTrainingJobCommandInput) {
      const name = checkName("trainingJobName", r.TrainingJobName);
      if (trainings.has(name))
        throw new ApiError(
          "ResourceInUse",
          `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn("training-job", name)})`,
        );
      if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/.test(r.RoleArn ?? ""))
        throw new ApiError("ValidationException", `RoleArn "${r.RoleArn}" is not an IAM role ARN`);
      if (
        !r.AlgorithmSpecification?.TrainingImage ||
        !r.OutputDataConfig?.S3OutputPath ||
        !r.ResourceConfig?.InstanceType ||
        !r.StoppingCondition?.MaxRuntimeInSeconds
      ) {
        throw new ApiError(
          "ValidationException",
          "TrainingImage, OutputDataConfig.S3OutputPath, ResourceConfig and StoppingCondition are required",
        );
      }
      for (const [k, v] of Object.entries(r.HyperParameters ?? {}))
        if (typeof v !== "string" || v.length > 2500)
          throw new ApiError("ValidationException", `hyperparameter ${k} must be a string of at most 2500 characters`);
      const j: Job<CreateTrainingJobCommandInput> = {
        request: r,
        arn: arn("training-job", name),
        status: "InProgress",
        created: new Date(),
        type: "SageMaker Training Job State Change",
        detail: () => eventDetail(describeTraining(name, j), r.Tags),
      };
      trainings.set(name, j);
      launch(name, j, () => runTraining(o.s3, r));
      return { TrainingJobArn: j.arn };
    },
    // A missing job is a ValidationException, not the ResourceNotFound the API reference lists
    // (aws-controllers-k8s/sagemaker-controller generator.yaml, the 404 of TransformJob and TrainingJob;
    // aws/aws-sdk issue 165: DescribeTrainingJob answers ValidationException "Requested resource not found.").
    DescribeTransformJob(r: { TransformJobName?: string }) {
      const j = transforms.get(r.TransformJobName ?? "");
      if (!j)
        throw new ApiError("ValidationException", `Could not find requested job with name ${r.TransformJobName ?? ""}`);
      return describeTransform(r.TransformJobName!, j);
    },
    DescribeTrainingJob(r: { TrainingJobName?: string }) {
      const j = trainings.get(r.TrainingJobName ?? "");
      if (!j) throw new ApiError("ValidationException", "Requested resource not found.");
      return describeTraining(r.TrainingJobName!, j);
    },
    StopTransformJob(r: { TransformJobName?: string }) {
      const name = r.TransformJobName ?? "";
      return stop(transforms.get(name), "transform", `Could not find requested job with name ${name}`);
    },
    StopTrainingJob(r: { TrainingJobName?: string }) {
      return stop(trainings.get(r.TrainingJobName ?? ""), "training", "Requested resource not found.");
    },
  };
  return {
    api,
    /**
     * Park the jobs whose names `match` after their `InProgress` event, as a long job would stay, until
     * the returned release is called (they then run) or they are stopped. Parked jobs do not keep `idle()` waiting.
     */
    hold(match: (jobName: string) => boolean): () => void {
      holds.add(match);
      return () => {
        holds.delete(match);
        for (const [name, j] of [...transforms, ...trainings] as Array<[string, Job<unknown>]>) {
          if (!j.parked || !match(name) || [...holds].some((held) => held(name))) continue;
          const resume = j.parked;
          j.parked = undefined;
          resume();
        }
      };
    },
  };
}
