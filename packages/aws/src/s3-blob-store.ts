import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Readable } from "node:stream";
import { NotFoundError, ValidationError, isSafeRelativePath, type BlobInfo, type BlobStore } from "@genq/core";

const isMissing = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
};

/** S3 caps a presigned URL at seven days (SigV4 query authentication, Amazon S3 API reference). */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * BlobStore on an S3 bucket. Objects are written whole by S3 (a reader sees old or new); streams go up
 * as multipart uploads; listing follows continuation tokens; missing objects become NotFoundError;
 * presigned PUT URLs let clients upload large files straight to the bucket.
 */
export function createS3BlobStore(client: S3Client, bucket: string): BlobStore {
  const check = (key: string) => {
    if (!isSafeRelativePath(key)) throw new ValidationError(`invalid object key "${key}"`);
    return key;
  };
  /** The object's body; a missing object is NotFoundError. */
  const getObject = async (key: string) => {
    try {
      return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: check(key) }))).Body!;
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(`object "${key}" not found`, { cause: error });
      throw error;
    }
  };
  return {
    async put(key, body, options) {
      // User metadata travels as x-amz-meta-* headers; S3 hands its keys back in lower case.
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: check(key),
          Body: typeof body === "string" ? Buffer.from(body) : body,
          ...(options?.metadata ? { Metadata: options.metadata } : {}),
        }),
      );
    },
    async putStream(key, body) {
      await new Upload({ client, params: { Bucket: bucket, Key: check(key), Body: Readable.from(body) } }).done();
    },
    async get(key) {
      return (await getObject(key)).transformToByteArray();
    },
    async getStream(key) {
      return (await getObject(key)) as unknown as AsyncIterable<Uint8Array>;
    },
    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: check(key) }));
        const metadata = out.Metadata && Object.keys(out.Metadata).length ? out.Metadata : undefined;
        return {
          key,
          size: out.ContentLength ?? 0,
          modifiedAt: (out.LastModified ?? new Date(0)).toISOString(),
          ...(metadata ? { metadata } : {}),
        };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async list(prefix) {
      const out: BlobInfo[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? [])
          out.push({ key: o.Key!, size: o.Size ?? 0, modifiedAt: (o.LastModified ?? new Date(0)).toISOString() });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: check(key) }));
    },
    async deletePrefix(prefix) {
      // DeleteObjects takes up to 1,000 keys a request and reports failures per key (Amazon S3 API reference, DeleteObjects).
      const doomed = await this.list(prefix);
      for (let i = 0; i < doomed.length; i += 1000) {
        const out = await client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: doomed.slice(i, i + 1000).map((b) => ({ Key: b.key })), Quiet: true },
          }),
        );
        if (out.Errors?.length)
          throw new Error(
            `S3 could not delete ${out.Errors.length} object(s), first "${out.Errors[0]!.Key}": ${out.Errors[0]!.Code} ${out.Errors[0]!.Message ?? ""}`.trim(),
          );
      }
      return doomed.length;
    },
    async presignPut(key, options) {
      const seconds = Math.floor(options.expiresInSeconds);
      if (!(seconds >= 1 && seconds <= MAX_PRESIGN_SECONDS))
        throw new ValidationError(`expiresInSeconds must be 1 to ${MAX_PRESIGN_SECONDS}`);
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: check(key),
        ContentType: options.contentType,
        ContentLength: options.contentLength,
      });
      // Content-Type and Content-Length are signed headers, so S3 refuses a body of another size or type.
      const headers: Record<string, string> = {
        ...(options.contentType ? { "content-type": options.contentType } : {}),
        ...(options.contentLength !== undefined ? { "content-length": String(options.contentLength) } : {}),
      };
      const url = await getSignedUrl(client, command, {
        expiresIn: seconds,
        signableHeaders: new Set(Object.keys(headers)),
      });
      return { url, method: "PUT", headers, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() };
    },
  };
}

/** S3 event notifications URL-encode keys (spaces as '+'); this gives the key as stored. */
export const decodeS3Key = (key: string): string => decodeURIComponent(key.replace(/\+/g, " "));
