import type { S3Event } from "aws-lambda";
import { chunkDocument, eventIds, type BlobStore } from "@genq/core";
import { decodeS3Key } from "@genq/aws";
import type { HandlerDeps } from "./handler-deps.ts";

/** S3's "Object Created" / "Object Deleted" as EventBridge delivers them (Amazon S3 user guide, "EventBridge event message structure"). */
export interface S3EventBridgeEvent {
  "detail-type": string;
  time: string;
  detail: { bucket: { name: string }; object: { key: string; size?: number; etag?: string; sequencer?: string; "version-id"?: string }; reason?: string };
}

interface ObjectChange {
  rawKey: string;
  size: number;
  version: string;
  time: string;
}

/** The created objects an event names, whichever way S3 delivered it (a bucket notification or EventBridge). */
function createdObjects(event: S3Event | S3EventBridgeEvent): ObjectChange[] {
  if ("Records" in event) {
    return event.Records.map((r) => ({ rawKey: r.s3.object.key, size: r.s3.object.size, version: r.s3.object.sequencer ?? r.s3.object.eTag ?? "", time: r.eventTime }));
  }
  if (event["detail-type"] !== "Object Created") return [];
  const o = event.detail.object;
  return [{ rawKey: o.key, size: o.size ?? 0, version: o.sequencer ?? o.etag ?? "", time: event.time }];
}

/**
 * Bucket notifications URL-encode keys (spaces as '+'); whether a key arrives encoded is taken from the
 * bucket itself: the key as given if that object exists, else its decoded form.
 */
async function resolveKey(blobs: BlobStore, raw: string): Promise<string> {
  const decoded = decodeS3Key(raw);
  if (decoded === raw || (await blobs.head(raw))) return raw;
  return decoded;
}

/**
 * S3 object created (a bucket notification, or S3's event through EventBridge) → chunk the document.
 * The event id is the object's key and sequencer, so a duplicate notification is recognised, and
 * chunking an unchanged object is a no-op. Objects outside a docs folder are ignored.
 */
export const createS3ObjectCreatedHandler = (deps: () => Promise<HandlerDeps>) => async (event: S3Event | S3EventBridgeEvent): Promise<void> => {
  const d = await deps();
  for (const change of createdObjects(event)) {
    const key = await resolveKey(d.blobs, change.rawKey);
    const corpus = /^corpora\/([^/]+)\/docs\//.exec(key)?.[1];
    if (!corpus) {
      d.logger.info("object outside a docs folder ignored", { key });
      continue;
    }
    const id = eventIds.documentUploaded(key, change.version);
    const outcome = await chunkDocument({ ...d, chunking: undefined }, { id, time: change.time, type: "document.uploaded", corpus, detail: { key, size: change.size } });
    d.logger.info("document handled", { key, outcome });
  }
};
