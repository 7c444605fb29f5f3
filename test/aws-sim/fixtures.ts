import { readFileSync } from "node:fs";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { writeTarGz } from "./model-containers.ts";

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
