import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";

/** `s3://bucket/key` → its parts; anything else is refused with the URI named. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`"${uri}" is not an s3:// URI`);
  return { bucket: m[1]!, key: m[2]! };
}

/** What the simulators read and write in S3 (s3rver in tests), through the real S3 client. */
export function s3Access(client: S3Client) {
  return {
    async get(uri: string): Promise<Uint8Array> {
      const { bucket, key } = parseS3Uri(uri);
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body!.transformToByteArray();
    },
    async exists(uri: string): Promise<boolean> {
      const { bucket, key } = parseS3Uri(uri);
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch {
        return false;
      }
    },
    async put(uri: string, body: Uint8Array | string): Promise<void> {
      const { bucket, key } = parseS3Uri(uri);
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: typeof body === "string" ? Buffer.from(body) : body }),
      );
    },
    /** Every object key under a prefix URI, as full s3:// URIs, in key order. */
    async list(prefixUri: string): Promise<string[]> {
      const { bucket, key } = parseS3Uri(prefixUri);
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) out.push(`s3://${bucket}/${o.Key}`);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort();
    },
  };
}
export type S3Access = ReturnType<typeof s3Access>;
