import { readFileSync } from "node:fs";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { CreateModelCommand, type SageMakerClient } from "@aws-sdk/client-sagemaker";
import type { BlobStore } from "@genq/core";
import { createS3BlobStore } from "@genq/aws";
import { startS3rver } from "../contracts/emulators.ts";
import { writeTarGz } from "./model-containers.ts";
import { startSageMakerServer, type SageMakerServer } from "./sagemaker-server.ts";

/** An S3 client for an s3rver endpoint (path-style, its fixed credentials). */
export const s3rverClient = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
  });

const sagemakerDir = join(import.meta.dirname, "../../sagemaker");

/** sagemaker/ packed as the README says (`tar czf sourcedir.tar.gz -C sagemaker .`), with its `./` entries. */
export function sourceDirTarball(omit: string[] = []): Uint8Array {
  const files = ["train.py", "inference.py", "requirements.txt", "README.md"].filter((f) => !omit.includes(f));
  return writeTarGz(new Map(files.map((f) => [`./${f}`, readFileSync(join(sagemakerDir, f))])));
}

/** The execution role the tests' SageMaker resources name. */
export const SAGEMAKER_ROLE = "arn:aws:iam::123456789012:role/genq-sagemaker";

/** Register the query-generation model as the infrastructure does: the stock Hugging Face container, T5 GenQ. */
export async function createQueryGenerationModel(sagemaker: SageMakerClient, name = "genq-query-gen"): Promise<void> {
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: SAGEMAKER_ROLE,
      PrimaryContainer: {
        Image: "hf-inference",
        Environment: { HF_MODEL_ID: "BeIR/query-gen-msmarco-t5-base-v1", HF_TASK: "text2text-generation" },
      },
    }),
  );
}

/**
 * An S3 bucket (s3rver) and the SageMaker simulator over it, with sagemaker/ uploaded as the training code
 * (`code/sourcedir.tar.gz`) and the query-generation model registered, as a deployed stage has them.
 */
export async function startSageMakerWorld(bucket: string): Promise<{
  blobs: BlobStore;
  sim: SageMakerServer;
  stop(): Promise<void>;
}> {
  const s3rver = await startS3rver(bucket);
  const blobs = createS3BlobStore(s3rverClient(s3rver.endpoint), bucket);
  const sim = await startSageMakerServer({ s3: s3rverClient(s3rver.endpoint) });
  await blobs.put("code/sourcedir.tar.gz", sourceDirTarball());
  await createQueryGenerationModel(sim.clients().sagemaker);
  return {
    blobs,
    sim,
    async stop() {
      await sim.stop();
      await s3rver.stop();
    },
  };
}
