import { randomUUID } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import type {
  CreateEndpointConfigCommandInput,
  CreateEndpointCommandInput,
  CreateModelCommandInput,
} from "@aws-sdk/client-sagemaker";
import type { ModelContainer } from "./hf-toolkit.ts";
import { modelProblem, readTarGz, startContainer } from "./model-containers.ts";
import { s3Access } from "./s3-access.ts";
import {
  ACCOUNT,
  ApiError,
  REGION,
  arn,
  checkName,
  seconds,
  tagMap,
  type SageMakerEvent,
} from "./sagemaker-api-common.ts";
import { createJobsApi } from "./sagemaker-jobs-api.ts";

export { ACCOUNT, ApiError, REGION, type SageMakerEvent } from "./sagemaker-api-common.ts";

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
  const jobs = createJobsApi({ s3, models, emit, background });
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
    ...jobs.api,
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
    /** Keep the jobs whose names match running (parked after `InProgress`) until released or stopped. */
    hold: jobs.hold,
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
