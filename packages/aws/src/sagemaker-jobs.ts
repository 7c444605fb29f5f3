import { CreateTrainingJobCommand, CreateTransformJobCommand, type SageMakerClient } from "@aws-sdk/client-sagemaker";
import { keys, type QueryGenerator, type Trainer } from "@genq/core";

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
 * Bulk passage embedding as a batch transform on the run's encoder model (the endpoint serves queries;
 * indexing a corpus through it would be slow and costly): `embed-input/` lines
 * `{"passageId", "inputs": [text], "kind": "passage"}` → `embed-output/`, input joined to output.
 */
export function embeddingTransformRequest(o: { bucket: string; instanceType: string }, corpus: string, runId: string, modelName: string): CreateTransformJobCommand["input"] {
  return lineTransformRequest({ ...o, corpus, runId, jobName: jobNames.embedding(runId), modelName, folder: "embed" });
}

/**
 * A batch transform over a run's JSON-lines folder: `<folder>-input/` → `<folder>-output/`, one record
 * per line, the input joined to each output line so records keep their passage id; tagged with the
 * corpus and run so its state change finds its way back.
 */
function lineTransformRequest(o: { bucket: string; instanceType: string; corpus: string; runId: string; jobName: string; modelName: string; folder: string; environment?: Record<string, string> }): CreateTransformJobCommand["input"] {
  const run = `s3://${o.bucket}/${keys.run(o.corpus, o.runId)}`;
  return {
    TransformJobName: o.jobName,
    ModelName: o.modelName,
    BatchStrategy: "SingleRecord",
    MaxPayloadInMB: 6,
    ...(o.environment ? { Environment: o.environment } : {}),
    TransformInput: { DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: `${run}${o.folder}-input/` } }, ContentType: "application/jsonlines", SplitType: "Line" },
    TransformOutput: { S3OutputPath: `${run}${o.folder}-output/`, Accept: "application/jsonlines", AssembleWith: "Line" },
    DataProcessing: { JoinSource: "Input" },
    TransformResources: { InstanceType: o.instanceType as never, InstanceCount: 1 },
    Tags: [{ Key: "genq:corpus", Value: o.corpus }, { Key: "genq:run", Value: o.runId }],
  };
}

/** Start the embedding transform; starting it twice is harmless. */
export async function startEmbeddingTransform(client: SageMakerClient, request: CreateTransformJobCommand["input"]): Promise<void> {
  await createOnce(client, new CreateTransformJobCommand(request));
}

const isAlreadyThere = (error: unknown) =>
  (error as { name?: string }).name === "ResourceInUse" || /already exists|must be unique/i.test((error as Error).message ?? "");

/** Send a create-job command; a job that already exists (a repeated start) is not an error. */
async function createOnce(client: SageMakerClient, command: CreateTransformJobCommand | CreateTrainingJobCommand): Promise<void> {
  try {
    await client.send(command as never);
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
  queriesPerPassage: number;
}

/**
 * QueryGenerator as a SageMaker batch transform: the run's passages (one JSON line per passage,
 * `{"inputs": text, "parameters": {...}}`, written under `runs/<run>/transform-input/` by the caller) go
 * through the Hugging Face container with BeIR/query-gen-msmarco-t5-base-v1 (or another model), split
 * and assembled by line, the input joined to the output so each line keeps its passage. Completion
 * arrives as SageMaker's "Transform Job State Change" event. Starting the same run twice is harmless.
 */
export function createSageMakerQueryGenerator(client: SageMakerClient, o: SageMakerQueryGeneratorOptions): QueryGenerator & { request(corpus: string, runId: string): CreateTransformJobCommand["input"] } {
  const request = (corpus: string, runId: string): CreateTransformJobCommand["input"] =>
    lineTransformRequest({ bucket: o.bucket, instanceType: o.instanceType, corpus, runId, jobName: jobNames.queries(runId), modelName: o.modelName, folder: "transform", environment: { GENQ_RUN: runId } });
  return {
    request,
    async start({ corpus, runId }) {
      await createOnce(client, new CreateTransformJobCommand(request(corpus, runId)));
      return { jobId: jobNames.queries(runId) };
    },
  };
}

/** One line of batch-transform input for a passage (the generation parameters of the GenQ recipe). */
export function transformInputLine(passage: { id: string; text: string }, queriesPerPassage: number): string {
  return JSON.stringify({ passageId: passage.id, inputs: passage.text, parameters: { max_length: 32, num_return_sequences: queriesPerPassage, top_p: 0.95, do_sample: true } });
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
export function createSageMakerTrainer(client: SageMakerClient, o: SageMakerTrainerOptions): Trainer & { request(corpus: string, runId: string): CreateTrainingJobCommand["input"] } {
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
        DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: `s3://${o.bucket}/${keys.run(corpus, runId)}pairs/`, S3DataDistributionType: "FullyReplicated" } },
        ContentType: "application/jsonlines",
      },
    ],
    OutputDataConfig: { S3OutputPath: `s3://${o.bucket}/${keys.model(corpus, runId)}` },
    ResourceConfig: { InstanceType: o.instanceType as never, InstanceCount: 1, VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: o.maxRuntimeSeconds },
    Tags: [{ Key: "genq:corpus", Value: corpus }, { Key: "genq:run", Value: runId }],
  });
  return {
    request,
    async start({ corpus, runId }) {
      await createOnce(client, new CreateTrainingJobCommand(request(corpus, runId)));
      return { jobId: jobNames.training(runId) };
    },
  };
}
