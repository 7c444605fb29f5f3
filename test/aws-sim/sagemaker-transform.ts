import type { CreateTransformJobCommandInput } from "@aws-sdk/client-sagemaker";
import type { ModelContainer } from "./hf-toolkit.ts";
import { parseS3Uri, type S3Access } from "./s3-access.ts";

/** A batch transform failed: `reason` is what DescribeTransformJob and the state-change event report. */
export class JobFailure extends Error {}

/**
 * The input objects of a transform and the name each output takes: for S3Prefix every object under the
 * prefix, named relative to it; for ManifestFile the listed keys relative to the manifest's prefix
 * (SageMaker API reference, TransformS3DataSource: `[{"prefix": "s3://…/"}, "relative/key", …]`).
 */
async function inputObjects(
  s3: S3Access,
  source: { S3DataType?: string; S3Uri?: string },
): Promise<Array<{ uri: string; name: string }>> {
  const uri = source.S3Uri!;
  if (source.S3DataType === "ManifestFile") {
    let manifest: unknown;
    try {
      manifest = JSON.parse(new TextDecoder().decode(await s3.get(uri)));
    } catch (error) {
      throw new JobFailure(`ClientError: the manifest ${uri} could not be read as JSON (${(error as Error).message})`);
    }
    const [head, ...entries] = Array.isArray(manifest) ? manifest : [];
    const prefix = (head as { prefix?: unknown } | undefined)?.prefix;
    if (
      typeof prefix !== "string" ||
      !prefix.startsWith("s3://") ||
      !entries.length ||
      !entries.every((e) => typeof e === "string")
    ) {
      throw new JobFailure(`ClientError: the manifest ${uri} is not [{"prefix": "s3://…"}, "key", …]`);
    }
    return (entries as string[]).map((name) => ({ uri: prefix + name, name }));
  }
  const listed = await s3.list(uri);
  const dir = uri.endsWith("/") ? uri : uri.slice(0, uri.lastIndexOf("/") + 1);
  if (!listed.length) {
    const { bucket } = parseS3Uri(uri);
    throw new JobFailure(
      `ClientError: No S3 objects found under S3 URL "${uri}" given in input data source. Please ensure that the bucket exists in the selected region, that objects exist under that S3 prefix, and that the role has "s3:ListBucket" permissions on bucket "${bucket}".`,
    );
  }
  return listed.map((u) => ({ uri: u, name: u.slice(dir.length) }));
}

/** Records of one object: whole lines for SplitType Line, the whole object otherwise. */
function records(bytes: Uint8Array, splitType: string | undefined): Uint8Array[] {
  if (splitType !== "Line") return [bytes];
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      const line = bytes.subarray(start, i > start && bytes[i - 1] === 0x0d ? i - 1 : i);
      if (line.length) out.push(line);
      start = i + 1;
    }
  }
  return out;
}

/** Mini-batches: one record each (SingleRecord), or as many whole lines as fit MaxPayloadInMB (MultiRecord). */
function miniBatches(recs: Uint8Array[], strategy: string | undefined, maxBytes: number, name: string): Uint8Array[] {
  const tooBig = recs.find((r) => r.length > maxBytes);
  if (tooBig) throw new JobFailure(`ClientError: a record of ${name} is ${tooBig.length} bytes, over MaxPayloadInMB`);
  if (strategy !== "MultiRecord") return recs;
  const out: Uint8Array[] = [];
  let batch: Uint8Array[] = [];
  let size = 0;
  for (const r of recs) {
    if (batch.length && size + r.length + 1 > maxBytes) {
      out.push(Buffer.concat(batch.flatMap((b) => [b, Buffer.from("\n")])));
      batch = [];
      size = 0;
    }
    batch.push(r);
    size += r.length + 1;
  }
  if (batch.length) out.push(Buffer.concat(batch.flatMap((b) => [b, Buffer.from("\n")])));
  return out;
}

/**
 * JoinSource=Input for JSON: the answer is added to the input object under `SageMakerOutput`; an input
 * that is not an object becomes `{"SageMakerInput", "SageMakerOutput"}` (DataProcessing.JoinSource, SageMaker
 * API reference). Only JSON and CSV inputs can be joined; the stand-in joins JSON.
 */
function join(input: Uint8Array, output: Uint8Array, name: string): Uint8Array {
  let inputValue: unknown;
  let outputValue: unknown;
  try {
    inputValue = JSON.parse(new TextDecoder().decode(input));
    outputValue = JSON.parse(new TextDecoder().decode(output));
  } catch {
    throw new JobFailure(
      `ClientError: a record of ${name} or its inference could not be joined: JoinSource=Input needs JSON on both sides`,
    );
  }
  const joined =
    inputValue && typeof inputValue === "object" && !Array.isArray(inputValue)
      ? { ...(inputValue as object), SageMakerOutput: outputValue }
      : { SageMakerInput: inputValue, SageMakerOutput: outputValue };
  return new TextEncoder().encode(JSON.stringify(joined));
}

/**
 * Run a transform job to the end: read every input object from S3, send its records to the model
 * container in mini-batches with the job's ContentType and Accept, join if asked, assemble, and write
 * `<S3OutputPath>/<name>.out` per input object (written only when the whole object succeeded). A
 * container error fails the job with the container's answer in the reason (real jobs say "See job logs").
 */
export async function runTransform(
  s3: S3Access,
  request: CreateTransformJobCommandInput,
  container: ModelContainer,
): Promise<void> {
  const input = request.TransformInput!;
  const output = request.TransformOutput!;
  const join_ = request.DataProcessing?.JoinSource === "Input";
  if (join_ && !["application/json", "application/jsonlines", "text/csv"].includes(input.ContentType ?? "")) {
    throw new JobFailure(`ClientError: JoinSource=Input works with JSON and CSV input only, not ${input.ContentType}`);
  }
  if (join_ && request.BatchStrategy === "MultiRecord")
    throw new JobFailure("ClientError: the simulator joins SingleRecord transforms only");
  const maxBytes = (request.MaxPayloadInMB ?? 6) * 1024 * 1024;
  const outputDir = output.S3OutputPath!.endsWith("/") ? output.S3OutputPath! : `${output.S3OutputPath}/`;
  for (const object of await inputObjects(s3, input.DataSource!.S3DataSource!)) {
    let bytes: Uint8Array;
    try {
      bytes = await s3.get(object.uri);
    } catch {
      throw new JobFailure(`ClientError: could not read ${object.uri}`);
    }
    const pieces: Uint8Array[] = [];
    for (const batch of miniBatches(records(bytes, input.SplitType), request.BatchStrategy, maxBytes, object.uri)) {
      const answer = await container.invoke(batch, input.ContentType ?? "application/octet-stream", output.Accept);
      if (answer.status !== 200) {
        throw new JobFailure(
          `ClientError: the model container answered ${answer.status} for a record of ${object.uri}: ${new TextDecoder().decode(answer.body)}`,
        );
      }
      pieces.push(join_ ? join(batch, answer.body, object.uri) : answer.body);
      if (output.AssembleWith === "Line") pieces.push(new TextEncoder().encode("\n"));
    }
    await s3.put(`${outputDir}${object.name}.out`, Buffer.concat(pieces));
  }
}
