import { randomUUID } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import type {
  CreateEndpointConfigCommandInput,
  CreateEndpointCommandInput,
  CreateModelCommandInput,
  CreateTrainingJobCommandInput,
  CreateTransformJobCommandInput,
} from "@aws-sdk/client-sagemaker";
import type { ModelContainer } from "./hf-toolkit.ts";
import { modelProblem, readTarGz, startContainer } from "./model-containers.ts";
import { s3Access } from "./s3-access.ts";
import { runTraining } from "./sagemaker-training.ts";
import { JobFailure, runTransform } from "./sagemaker-transform.ts";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

/** An error the SageMaker API answers with: `type` is the `__type` of the awsJson 1.1 error body. */
export class ApiError extends Error {
  constructor(
    readonly type: "ValidationException" | "ResourceInUse" | "ResourceNotFound" | "ResourceLimitExceeded",
    message: string,
  ) {
    super(message);
  }
}

/** An EventBridge envelope as SageMaker delivers its state changes (source "aws.sagemaker"). */
export interface SageMakerEvent {
  version: "0";
  id: string;
  "detail-type":
    "SageMaker Training Job State Change" | "SageMaker Transform Job State Change" | "SageMaker Endpoint State Change";
  source: "aws.sagemaker";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

const arn = (kind: string, name: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${kind}/${name.toLowerCase()}`;
// CreateTrainingJob / CreateTransformJob / CreateModel / CreateEndpoint(Config) name pattern (SageMaker API reference).
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const checkName = (field: string, name: string | undefined) => {
  if (!name || !NAME.test(name))
    throw new ApiError(
      "ValidationException",
      `1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`,
    );
  return name;
};
const tagMap = (tags: Array<{ Key?: string; Value?: string }> | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key!, t.Value ?? ""]));
const seconds = (d: Date) => d.getTime() / 1000;

interface Job<R> {
  request: R;
  arn: string;
  status: "InProgress" | "Completed" | "Failed" | "Stopped";
  failureReason?: string;
  created: Date;
  ended?: Date;
  artifact?: string;
}
interface Endpoint {
  request: CreateEndpointCommandInput;
  arn: string;
  status: "Creating" | "InService" | "Failed" | "Deleting";
  failureReason?: string;
  container?: ModelContainer;
  serverless: boolean;
  created: Date;
}

/**
 * The subset of SageMaker genq calls, run on this machine: jobs read and write s3rver through the real
 * S3 client, models are the stand-ins of model-containers.ts, and every job or endpoint status change
 * is announced as SageMaker's EventBridge payload to `onEvent`. Work happens in the background after a
 * Create* call answers, as on AWS; `idle()` waits for all of it.
 */
export function createSageMakerSimulator(o: {
  s3: S3Client;
  onEvent?: (event: SageMakerEvent) => void | Promise<void>;
}) {
  const s3 = s3Access(o.s3);
  const models = new Map<
    string,
    { request: CreateModelCommandInput; arn: string; archive: Map<string, Uint8Array> | null; created: Date }
  >();
  const configs = new Map<string, { request: CreateEndpointConfigCommandInput; arn: string; created: Date }>();
  const endpoints = new Map<string, Endpoint>();
  const transforms = new Map<string, Job<CreateTransformJobCommandInput>>();
  const trainings = new Map<string, Job<CreateTrainingJobCommandInput>>();
  const pending = new Set<Promise<void>>();
  const events: SageMakerEvent[] = [];

  const emit = async (type: SageMakerEvent["detail-type"], resource: string, detail: Record<string, unknown>) => {
    const event: SageMakerEvent = {
      version: "0",
      id: randomUUID(),
      "detail-type": type,
      source: "aws.sagemaker",
      account: ACCOUNT,
      time: new Date().toISOString(),
      region: REGION,
      resources: [resource],
      detail,
    };
    events.push(event);
    await o.onEvent?.(event);
  };
  const background = (work: () => Promise<void>) => {
    const p = new Promise<void>((resolve) => setImmediate(resolve)).then(work).finally(() => pending.delete(p));
    pending.add(p);
  };
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
  const finish = async <R extends { Tags?: CreateTransformJobCommandInput["Tags"] }>(
    j: Job<R>,
    run: () => Promise<string | void>,
    announce: () => Promise<void>,
  ) => {
    try {
      const artifact = await run();
      if (artifact) j.artifact = artifact;
      j.status = "Completed";
    } catch (error) {
      j.status = "Failed";
      j.failureReason =
        error instanceof JobFailure ? error.message : `InternalServerError: ${(error as Error).message}`;
    }
    j.ended = new Date();
    await announce();
  };
  const endpointDetail = (name: string, e: Endpoint, status: string) => ({
    EndpointName: name,
    EndpointArn: e.arn,
    EndpointConfigName: e.request.EndpointConfigName,
    EndpointStatus: status,
    ...(e.failureReason ? { FailureReason: e.failureReason } : {}),
    CreationTime: e.created.getTime(),
    LastModifiedTime: Date.now(),
    Tags: tagMap(e.request.Tags),
  });

  const api = {
    CreateModel(r: CreateModelCommandInput) {
      const name = checkName("modelName", r.ModelName);
      if (models.has(name))
        throw new ApiError("ValidationException", `Cannot create already existing model "${arn("model", name)}".`);
      if (!r.ExecutionRoleArn || !r.PrimaryContainer?.Image)
        throw new ApiError("ValidationException", "ExecutionRoleArn and PrimaryContainer.Image are required");
      return (async () => {
        let archive: Map<string, Uint8Array> | null = null;
        if (r.PrimaryContainer!.ModelDataUrl) {
          try {
            archive = readTarGz(await s3.get(r.PrimaryContainer!.ModelDataUrl));
          } catch {
            archive = null;
          }
        }
        const problem = modelProblem(r.PrimaryContainer as never, archive);
        if (problem) throw new ApiError("ValidationException", problem);
        models.set(name, { request: r, arn: arn("model", name), archive, created: new Date() });
        return { ModelArn: arn("model", name) };
      })();
    },
    CreateEndpointConfig(r: CreateEndpointConfigCommandInput) {
      const name = checkName("endpointConfigName", r.EndpointConfigName);
      if (configs.has(name))
        throw new ApiError(
          "ValidationException",
          `Cannot create already existing endpoint configuration "${arn("endpoint-config", name)}".`,
        );
      if (!r.ProductionVariants?.length)
        throw new ApiError("ValidationException", "ProductionVariants must hold at least one variant");
      for (const v of r.ProductionVariants) {
        if (!models.has(v.ModelName ?? ""))
          throw new ApiError("ValidationException", `Could not find model "${arn("model", v.ModelName ?? "")}".`);
        if (v.ServerlessConfig) {
          // ProductionVariantServerlessConfig: MemorySizeInMB 1024–6144 in 1 GB steps, MaxConcurrency 1–200.
          const m = v.ServerlessConfig.MemorySizeInMB ?? 0;
          if (m < 1024 || m > 6144 || m % 1024)
            throw new ApiError(
              "ValidationException",
              `Serverless memory size ${m} MB is not one of 1024, 2048, 3072, 4096, 5120, 6144`,
            );
          const c = v.ServerlessConfig.MaxConcurrency ?? 0;
          if (c < 1 || c > 200)
            throw new ApiError("ValidationException", `Serverless MaxConcurrency ${c} is not between 1 and 200`);
        } else if (!v.InstanceType || !v.InitialInstanceCount) {
          throw new ApiError(
            "ValidationException",
            `variant ${v.VariantName}: a real-time variant needs InstanceType and InitialInstanceCount`,
          );
        }
      }
      configs.set(name, { request: r, arn: arn("endpoint-config", name), created: new Date() });
      return { EndpointConfigArn: arn("endpoint-config", name) };
    },
    CreateEndpoint(r: CreateEndpointCommandInput) {
      const name = checkName("endpointName", r.EndpointName);
      if (endpoints.has(name))
        throw new ApiError(
          "ValidationException",
          `Cannot create already existing endpoint "${arn("endpoint", name)}".`,
        );
      const config = configs.get(r.EndpointConfigName ?? "");
      if (!config)
        throw new ApiError(
          "ValidationException",
          `Could not find endpoint configuration "${arn("endpoint-config", r.EndpointConfigName ?? "")}".`,
        );
      const variant = config.request.ProductionVariants![0]!;
      const e: Endpoint = {
        request: r,
        arn: arn("endpoint", name),
        status: "Creating",
        serverless: Boolean(variant.ServerlessConfig),
        created: new Date(),
      };
      endpoints.set(name, e);
      background(async () => {
        await emit("SageMaker Endpoint State Change", e.arn, endpointDetail(name, e, "CREATING"));
        const model = models.get(variant.ModelName!);
        try {
          if (!model) throw new Error(`model ${variant.ModelName} was deleted`);
          e.container = startContainer(model.request.PrimaryContainer as never, model.archive);
          e.status = "InService";
        } catch (error) {
          e.status = "Failed";
          e.failureReason = `The primary container for production variant ${variant.VariantName} did not pass the ping health check: ${(error as Error).message}`;
        }
        await emit(
          "SageMaker Endpoint State Change",
          e.arn,
          endpointDetail(name, e, e.status === "InService" ? "IN_SERVICE" : "FAILED"),
        );
      });
      return { EndpointArn: e.arn };
    },
    CreateTransformJob(r: CreateTransformJobCommandInput) {
      const name = checkName("transformJobName", r.TransformJobName);
      if (transforms.has(name))
        throw new ApiError(
          "ResourceInUse",
          `Job name must be unique within an AWS account and region, and a job with this name already exists (${arn("transform-job", name)})`,
        );
      const model = models.get(r.ModelName ?? "");
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
      };
      transforms.set(name, j);
      background(async () => {
        await emit("SageMaker Transform Job State Change", j.arn, eventDetail(describeTransform(name, j), r.Tags));
        await finish(
          j,
          () => runTransform(s3, r, startContainer(model.request.PrimaryContainer as never, model.archive)),
          () => emit("SageMaker Transform Job State Change", j.arn, eventDetail(describeTransform(name, j), r.Tags)),
        );
      });
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
      };
      trainings.set(name, j);
      background(async () => {
        await emit("SageMaker Training Job State Change", j.arn, eventDetail(describeTraining(name, j), r.Tags));
        await finish(
          j,
          () => runTraining(s3, r),
          () => emit("SageMaker Training Job State Change", j.arn, eventDetail(describeTraining(name, j), r.Tags)),
        );
      });
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
    DescribeEndpoint(r: { EndpointName?: string }) {
      const e = endpoints.get(r.EndpointName ?? "");
      if (!e)
        throw new ApiError(
          "ValidationException",
          `Could not find endpoint "${arn("endpoint", r.EndpointName ?? "")}".`,
        );
      return {
        EndpointName: r.EndpointName,
        EndpointArn: e.arn,
        EndpointConfigName: e.request.EndpointConfigName,
        EndpointStatus: e.status,
        FailureReason: e.failureReason,
        CreationTime: seconds(e.created),
        LastModifiedTime: seconds(new Date()),
      };
    },
    DescribeModel(r: { ModelName?: string }) {
      const m = models.get(r.ModelName ?? "");
      if (!m) throw new ApiError("ValidationException", `Could not find model "${arn("model", r.ModelName ?? "")}".`);
      return {
        ModelName: r.ModelName,
        ModelArn: m.arn,
        PrimaryContainer: m.request.PrimaryContainer,
        ExecutionRoleArn: m.request.ExecutionRoleArn,
        CreationTime: seconds(m.created),
      };
    },
    DescribeEndpointConfig(r: { EndpointConfigName?: string }) {
      const c = configs.get(r.EndpointConfigName ?? "");
      if (!c)
        throw new ApiError(
          "ValidationException",
          `Could not find endpoint configuration "${arn("endpoint-config", r.EndpointConfigName ?? "")}".`,
        );
      return {
        EndpointConfigName: r.EndpointConfigName,
        EndpointConfigArn: c.arn,
        ProductionVariants: c.request.ProductionVariants,
        CreationTime: seconds(c.created),
      };
    },
    DeleteEndpoint(r: { EndpointName?: string }) {
      if (!endpoints.delete(r.EndpointName ?? ""))
        throw new ApiError(
          "ValidationException",
          `Could not find endpoint "${arn("endpoint", r.EndpointName ?? "")}".`,
        );
      return {};
    },
    DeleteEndpointConfig(r: { EndpointConfigName?: string }) {
      if (!configs.delete(r.EndpointConfigName ?? ""))
        throw new ApiError(
          "ValidationException",
          `Could not find endpoint configuration "${arn("endpoint-config", r.EndpointConfigName ?? "")}".`,
        );
      return {};
    },
    DeleteModel(r: { ModelName?: string }) {
      if (!models.delete(r.ModelName ?? ""))
        throw new ApiError("ValidationException", `Could not find model "${arn("model", r.ModelName ?? "")}".`);
      return {};
    },
  };

  return {
    api,
    /** The SageMaker events announced so far, in order. */
    events,
    /** The container behind an in-service endpoint, or why there is none (InvokeEndpoint's ValidationError). */
    endpointContainer(name: string): { container: ModelContainer; serverless: boolean } | { error: string } {
      const e = endpoints.get(name);
      if (!e || e.status !== "InService" || !e.container)
        return { error: `Endpoint ${name} of account ${ACCOUNT} not found.` };
      return { container: e.container, serverless: e.serverless };
    },
    /** Wait until every started job and endpoint has settled (and its events were delivered). */
    async idle(): Promise<void> {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}
export type SageMakerSimulator = ReturnType<typeof createSageMakerSimulator>;
