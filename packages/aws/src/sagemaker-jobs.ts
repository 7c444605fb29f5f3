import {
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  type SageMakerClient,
  type TrainingInstanceType,
  type TransformInstanceType,
} from "@aws-sdk/client-sagemaker";
import { keys, type QueryGenerator, type Trainer } from "@genq/core";
import { transformPaths } from "./transform-input.ts";

/** SageMaker job names: 1–63 characters of letters, digits and '-'. genq's carry the run id. */
export const jobNames = {
  queries: (runId: string) => `genq-${runId}-qg`.slice(0, 63),
  training: (runId: string) => `genq-${runId}-train`.slice(0, 63),
  embedding: (runId: string) => `genq-${runId}-emb`.slice(0, 63),
  /** The run a genq job name belongs to, or null for jobs that are not genq's. */
  runOf(jobName: string): { runId: string; kind: "queries" | "training" | "embedding" } | null {
    const m = /^genq-(.+)-(qg|train|emb)$/.exec(jobName);
    if (!m) return null;
    return { runId: m[1]!, kind: m[2] === "qg" ? "queries" : m[2] === "train" ? "training" : "embedding" };
  },
};

/**
 * Where a SageMaker job stands: its status, for a failed one SageMaker's reason, and for a training job
 * its secondary status (`MaxRuntimeExceeded` tells a job stopped at its time limit from one stopped on request).
 */
export interface JobStatus {
  status: "InProgress" | "Completed" | "Failed" | "Stopping" | "Stopped";
  failureReason: string | null;
  secondaryStatus?: string | null;
}

// The API reference lists ResourceNotFound, but SageMaker answers ValidationException: "Could not find
// requested job with name …" (transform), "Requested resource not found." (training).
const isMissing = (error: unknown) =>
  (error as { name?: string }).name === "ResourceNotFound" ||
  /could not find|does not exist|requested resource not found/i.test((error as Error).message ?? "");

/**
 * Ask SageMaker about a genq job (DescribeTransformJob / DescribeTrainingJob): its status, or null when
 * no job of that name exists. This is how a re-issued stage finds a job whose state-change event was lost
 * (SageMaker API reference: DescribeTransformJob, DescribeTrainingJob; a missing job is answered as a
 * ValidationException, aws-controllers-k8s/sagemaker-controller generator.yaml).
 */
export async function describeJob(
  client: SageMakerClient,
  kind: "transform" | "training",
  name: string,
): Promise<JobStatus | null> {
  try {
    if (kind === "transform") {
      const out = await client.send(new DescribeTransformJobCommand({ TransformJobName: name }));
      return { status: out.TransformJobStatus as JobStatus["status"], failureReason: out.FailureReason ?? null };
    }
    const out = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    return {
      status: out.TrainingJobStatus as JobStatus["status"],
      failureReason: out.FailureReason ?? null,
      secondaryStatus: out.SecondaryStatus ?? null,
    };
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

export type EmbeddingInput = { kind: "manifest" } | { kind: "prefix" };

/**
 * Bulk passage embedding as a batch transform on the run's encoder model (the endpoint serves queries;
 * indexing a corpus through it would be slow and costly). The input is the corpus's passage objects
 * read in place through the run's manifest (`writePassageManifest`; `{kind: "prefix"}` reads
 * `embed-input/` instead). Requests are `application/jsonlines` mini-batches of whole lines up to
 * 1 MB (BatchStrategy MultiRecord, SplitType Line), which sagemaker/inference.py's input_fn reads —
 * the stock toolkit would refuse that content type, so a model without code/inference.py fails loudly.
 * inference.py answers one line per passage carrying the passage and its vector, so no join is needed;
 * AssembleWith Line ends each answer with a newline. Output: `embed-output/<object>.out`.
 */
export function embeddingTransformRequest(
  o: { bucket: string; instanceType: string; instanceCount?: number },
  corpus: string,
  runId: string,
  modelName: string,
  input: EmbeddingInput,
): CreateTransformJobCommand["input"] {
  const dataSource =
    input.kind === "manifest"
      ? {
          S3DataType: "ManifestFile" as const,
          S3Uri: `s3://${o.bucket}/${transformPaths.embeddingManifest(corpus, runId)}`,
        }
      : { S3DataType: "S3Prefix" as const, S3Uri: `s3://${o.bucket}/${transformPaths.embeddingInput(corpus, runId)}` };
  return {
    TransformJobName: jobNames.embedding(runId),
    ModelName: modelName,
    BatchStrategy: "MultiRecord",
    // About 650 passages of ~1.5 KB per request: seconds of work, well inside the invocation timeout.
    MaxPayloadInMB: 1,
    TransformInput: {
      DataSource: { S3DataSource: dataSource },
      ContentType: "application/jsonlines",
      SplitType: "Line",
    },
    TransformOutput: {
      S3OutputPath: `s3://${o.bucket}/${transformPaths.embeddingOutput(corpus, runId)}`,
      Accept: "application/jsonlines",
      AssembleWith: "Line",
    },
    TransformResources: { InstanceType: o.instanceType as TransformInstanceType, InstanceCount: o.instanceCount ?? 1 },
    Tags: tags(corpus, runId),
  };
}

const tags = (corpus: string, runId: string) => [
  { Key: "genq:corpus", Value: corpus },
  { Key: "genq:run", Value: runId },
];

/**
 * The query-generation transform on the stock Hugging Face container. Its toolkit decodes only
 * application/json, text/csv, npy, images and audio, and answers 400 UnsupportedFormatError for
 * anything else such as application/jsonlines (aws/sagemaker-huggingface-inference-toolkit
 * decoder_encoder.py, content_types.py). So each line of `transform-input/` goes alone
 * (SplitType Line, BatchStrategy SingleRecord) as an application/json request
 * `{"passageId", "inputs", "parameters"}`; JoinSource Input puts the model's answer into that object
 * under `SageMakerOutput`, so every output line keeps its passage id and text; AssembleWith Line keeps
 * one record per line. Output: `transform-output/<object>.out`.
 */
export function queryGenerationTransformRequest(
  o: { bucket: string; instanceType: string; instanceCount?: number; modelName: string },
  corpus: string,
  runId: string,
): CreateTransformJobCommand["input"] {
  return {
    TransformJobName: jobNames.queries(runId),
    ModelName: o.modelName,
    BatchStrategy: "SingleRecord",
    MaxPayloadInMB: 6,
    Environment: { GENQ_RUN: runId },
    TransformInput: {
      DataSource: {
        S3DataSource: {
          S3DataType: "S3Prefix",
          S3Uri: `s3://${o.bucket}/${transformPaths.queriesInput(corpus, runId)}`,
        },
      },
      ContentType: "application/json",
      SplitType: "Line",
    },
    TransformOutput: {
      S3OutputPath: `s3://${o.bucket}/${transformPaths.queriesOutput(corpus, runId)}`,
      Accept: "application/json",
      AssembleWith: "Line",
    },
    DataProcessing: { JoinSource: "Input" },
    TransformResources: { InstanceType: o.instanceType as TransformInstanceType, InstanceCount: o.instanceCount ?? 1 },
    Tags: tags(corpus, runId),
  };
}

/** Start the embedding transform; starting it twice is harmless. */
export async function startEmbeddingTransform(
  client: SageMakerClient,
  request: CreateTransformJobCommand["input"],
): Promise<void> {
  await createOnce(client, new CreateTransformJobCommand(request));
}

const isAlreadyThere = (error: unknown) =>
  (error as { name?: string }).name === "ResourceInUse" ||
  /already exists|must be unique/i.test((error as Error).message ?? "");

/** Send a create-job command; a job that already exists (a repeated start) is not an error. */
async function createOnce(
  client: SageMakerClient,
  command: CreateTransformJobCommand | CreateTrainingJobCommand,
): Promise<void> {
  try {
    if (command instanceof CreateTransformJobCommand) await client.send(command);
    else await client.send(command);
  } catch (error) {
    if (!isAlreadyThere(error)) throw error;
  }
}

export interface SageMakerQueryGeneratorOptions {
  bucket: string;
  roleArn: string;
  /** A SageMaker model (Hugging Face inference container) serving the query-generation model. */
  modelName: string;
  instanceType: string;
  instanceCount?: number;
  queriesPerPassage: number;
}

/**
 * QueryGenerator as a SageMaker batch transform over the run's `transform-input/` (written by
 * `writeQueryGenerationInputs`, one object per passages object) through the Hugging Face container with
 * BeIR/query-gen-msmarco-t5-base-v1 (or another model); see `queryGenerationTransformRequest`.
 * Completion arrives as SageMaker's "Transform Job State Change" event. Starting the same run twice is
 * harmless.
 */
export function createSageMakerQueryGenerator(
  client: SageMakerClient,
  o: SageMakerQueryGeneratorOptions,
): QueryGenerator & { request(corpus: string, runId: string): CreateTransformJobCommand["input"] } {
  const request = (corpus: string, runId: string) => queryGenerationTransformRequest(o, corpus, runId);
  return {
    request,
    async start({ corpus, runId }) {
      await createOnce(client, new CreateTransformJobCommand(request(corpus, runId)));
      return { jobId: jobNames.queries(runId) };
    },
  };
}

export interface SageMakerTrainerOptions {
  bucket: string;
  roleArn: string;
  /** The Hugging Face PyTorch training image (ECR URI) for the region. */
  trainingImage: string;
  instanceType: string;
  /** s3:// URI of sagemaker/ packaged as sourcedir.tar.gz. */
  sourceDir: string;
  baseModel: string;
  hyperparameters: Record<string, string | number>;
  maxRuntimeSeconds: number;
}

/**
 * Trainer as a SageMaker training job running sagemaker/train.py (sentence-transformers,
 * MultipleNegativesRankingLoss, no-duplicates batches): the run's pairs are the `train` channel, the
 * model lands under `runs/<run>/model/`. Completion arrives as "Training Job State Change".
 */
export function createSageMakerTrainer(
  client: SageMakerClient,
  o: SageMakerTrainerOptions,
): Trainer & { request(corpus: string, runId: string): CreateTrainingJobCommand["input"] } {
  const request = (corpus: string, runId: string): CreateTrainingJobCommand["input"] => ({
    TrainingJobName: jobNames.training(runId),
    RoleArn: o.roleArn,
    AlgorithmSpecification: { TrainingImage: o.trainingImage, TrainingInputMode: "File" },
    HyperParameters: Object.fromEntries(
      Object.entries({
        base_model: o.baseModel,
        ...o.hyperparameters,
        sagemaker_program: "train.py",
        sagemaker_submit_directory: o.sourceDir,
      }).map(([k, v]) => [k, typeof v === "string" ? JSON.stringify(v) : String(v)]),
    ),
    InputDataConfig: [
      {
        ChannelName: "train",
        DataSource: {
          S3DataSource: {
            S3DataType: "S3Prefix",
            S3Uri: `s3://${o.bucket}/${keys.run(corpus, runId)}pairs/`,
            S3DataDistributionType: "FullyReplicated",
          },
        },
        ContentType: "application/jsonlines",
      },
    ],
    OutputDataConfig: { S3OutputPath: `s3://${o.bucket}/${keys.model(corpus, runId)}` },
    ResourceConfig: { InstanceType: o.instanceType as TrainingInstanceType, InstanceCount: 1, VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: o.maxRuntimeSeconds },
    Tags: [
      { Key: "genq:corpus", Value: corpus },
      { Key: "genq:run", Value: runId },
    ],
  });
  return {
    request,
    async start({ corpus, runId }) {
      await createOnce(client, new CreateTrainingJobCommand(request(corpus, runId)));
      return { jobId: jobNames.training(runId) };
    },
  };
}
