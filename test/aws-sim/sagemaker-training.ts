import type { CreateTrainingJobCommandInput } from "@aws-sdk/client-sagemaker";
import { StaticModel, bucketIdf, serialiseModel, trainStaticModel } from "@genq/ml";
import { readTarGz, writeTarGz } from "./model-containers.ts";
import { JobFailure } from "./sagemaker-transform.ts";
import type { S3Access } from "./s3-access.ts";

/** The stand-in model the simulated training job trains in place of the transformer (small and fast). */
export const SIMULATED_MODEL = { bucketBits: 12, bigrams: true, maxFeatures: 48, dims: 32, seed: 42 } as const;

/** train.py's package_inference_code(): these files of the source directory go into the model's code/. */
const PACKAGED = ["inference.py", "requirements.txt"];

/**
 * SageMaker's model artifact location: `<S3OutputPath>/<job name>/output/model.tar.gz` (SageMaker
 * developer guide, "How Amazon SageMaker Processes Training Output"; DescribeTrainingJob
 * ModelArtifacts.S3ModelArtifacts).
 */
export const modelArtifactUri = (outputPath: string, jobName: string) =>
  `${outputPath.replace(/\/+$/, "")}/${jobName}/output/model.tar.gz`;

/** A hyperparameter as the training toolkit reads it: JSON-decoded when it is JSON, else the raw string. */
const decode = (value: string | undefined) => {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

/**
 * Run a training job to the end the way the Hugging Face training container runs train.py: download
 * `sagemaker_submit_directory` (a tar.gz) and check `sagemaker_program` is in it, read the `train`
 * channel's `.jsonl` pairs (`query`, `passage`), train — here the embedded static-embedding trainer
 * stands in for sentence-transformers — then package SM_MODEL_DIR as train.py does (the model, its
 * training_stats.json and code/ with inference.py and requirements.txt) into model.tar.gz at SageMaker's
 * output path. Returns that URI.
 */
export async function runTraining(s3: S3Access, request: CreateTrainingJobCommandInput): Promise<string> {
  const hp = request.HyperParameters ?? {};
  const sourceUri = decode(hp.sagemaker_submit_directory);
  const program = decode(hp.sagemaker_program);
  if (typeof sourceUri !== "string" || typeof program !== "string")
    throw new JobFailure(
      "AlgorithmError: no sagemaker_submit_directory / sagemaker_program hyperparameters: nothing to run",
    );
  let source: Map<string, Uint8Array>;
  try {
    source = readTarGz(await s3.get(sourceUri));
  } catch (error) {
    throw new JobFailure(
      `ClientError: could not unpack the source directory ${sourceUri}: ${(error as Error).message}`,
    );
  }
  if (!source.has(program))
    throw new JobFailure(
      `AlgorithmError: ExecuteUserScriptError: python3: can't open file '/opt/ml/code/${program}': [Errno 2] No such file or directory`,
    );
  const missing = PACKAGED.find((f) => !source.has(f));
  if (missing)
    throw new JobFailure(
      `AlgorithmError: ExecuteUserScriptError: ${missing} is missing next to train.py (/opt/ml/code); the model archive needs it in code/`,
    );

  const channel = request.InputDataConfig?.find((c) => c.ChannelName === "train");
  const channelUri = channel?.DataSource?.S3DataSource?.S3Uri;
  if (!channelUri) throw new JobFailure("ClientError: no train channel");
  const files = (await s3.list(channelUri)).filter((u) => u.endsWith(".jsonl"));
  const passages: string[] = [];
  const index = new Map<string, number>();
  const examples: Array<{ query: string; passageIndex: number }> = [];
  for (const uri of files) {
    for (const line of new TextDecoder().decode(await s3.get(uri)).split("\n")) {
      if (!line.trim()) continue;
      let row: { query?: unknown; passage?: unknown };
      try {
        row = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof row.query !== "string" || typeof row.passage !== "string" || !row.query || !row.passage) continue;
      let i = index.get(row.passage);
      if (i === undefined) index.set(row.passage, (i = passages.push(row.passage) - 1));
      examples.push({ query: row.query, passageIndex: i });
    }
  }
  if (!examples.length)
    throw new JobFailure(
      "AlgorithmError: ExecuteUserScriptError: no training pairs found under /opt/ml/input/data/train",
    );

  const epochs = Math.min(Number(decode(hp.epochs) ?? 1) || 1, 3);
  const model = StaticModel.initialise(SIMULATED_MODEL, bucketIdf(passages, SIMULATED_MODEL));
  const stats = trainStaticModel(model, passages, examples, { epochs, batchSize: 32 });
  const { manifest, weights } = serialiseModel(model, {
    kind: "tuned",
    hyperparameters: { epochs },
    training: { pairs: examples.length },
    createdAt: new Date().toISOString(),
  });
  const modelDir = new Map<string, Uint8Array | string>([
    ["manifest.json", JSON.stringify(manifest)],
    ["model.bin", weights],
    ["training_stats.json", JSON.stringify({ ...stats, examples: examples.length })],
    ...PACKAGED.map((f) => [`code/${f}`, source.get(f)!] as [string, Uint8Array]),
  ]);
  const uri = modelArtifactUri(request.OutputDataConfig!.S3OutputPath!, request.TrainingJobName!);
  await s3.put(uri, writeTarGz(modelDir));
  return uri;
}
