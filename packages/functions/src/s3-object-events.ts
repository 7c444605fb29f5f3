import type { S3Event } from "aws-lambda";
import {
  chunkDocument,
  deleteDocument,
  eventIds,
  parseDocumentKey,
  refreshDocument,
  retrainIfDue,
  startRun,
  type DocumentKey,
} from "@genq/core";
import { decodeS3Key } from "@genq/aws";
import type { HandlerDeps } from "./handler-deps.ts";

/** One object change, whichever way S3 reported it. */
interface ObjectChange {
  kind: "created" | "deleted";
  /** The key as the event carries it (URL-encoded, spaces as '+'). */
  rawKey: string;
  size: number;
  /** Orders the events of one key (S3's sequencer), or another per-event stamp. */
  stamp: string;
  time: string;
}

/** An S3 event as EventBridge delivers it (Amazon S3 user guide, "EventBridge event message structure"). */
export interface S3EventBridgeEvent {
  source?: string;
  "detail-type"?: string;
  time?: string;
  id?: string;
  detail?: {
    bucket?: { name?: string };
    object?: { key?: string; size?: number; sequencer?: string; etag?: string; "version-id"?: string };
    reason?: string;
    "deletion-type"?: string;
  };
}

/**
 * The object changes an event reports: S3's "Object Created" / "Object Deleted" through EventBridge
 * (a delete marker of a versioned bucket is an "Object Deleted" whose deletion-type is "Delete Marker
 * Created"), or an S3 event notification's records (`ObjectCreated:*`, `ObjectRemoved:Delete`,
 * `ObjectRemoved:DeleteMarkerCreated`; Amazon S3 user guide, "Event notification types"). Null for
 * anything else.
 */
export function objectChanges(event: unknown): ObjectChange[] | null {
  const records = (event as Partial<S3Event>).Records;
  if (Array.isArray(records)) {
    return records.flatMap((r): ObjectChange[] => {
      const kind = r.eventName?.startsWith("ObjectCreated:")
        ? "created"
        : r.eventName?.startsWith("ObjectRemoved:")
          ? "deleted"
          : null;
      if (!kind || !r.s3?.object?.key) return [];
      return [
        {
          kind,
          rawKey: r.s3.object.key,
          size: Number(r.s3.object.size ?? 0),
          stamp: r.s3.object.sequencer ?? r.s3.object.eTag ?? r.eventTime,
          time: r.eventTime,
        },
      ];
    });
  }
  const e = event as S3EventBridgeEvent;
  const kind =
    e["detail-type"] === "Object Created" ? "created" : e["detail-type"] === "Object Deleted" ? "deleted" : null;
  if (e.source !== "aws.s3" || !kind || !e.detail?.object?.key) return null;
  const o = e.detail.object;
  return [
    {
      kind,
      rawKey: o.key!,
      size: Number(o.size ?? 0),
      stamp: o.sequencer ?? o.etag ?? e.id ?? "",
      time: e.time ?? new Date().toISOString(),
    },
  ];
}

/** The key decoded; a key that is not URL-encoding (a '%' without two hex digits) can only be as given. */
function decodedKey(rawKey: string): string {
  try {
    return decodeS3Key(rawKey);
  } catch {
    return rawKey;
  }
}

/**
 * The document an object key names. Bucket notifications URL-encode keys (spaces as '+'); whether a key
 * arrives encoded is taken from the bucket itself: the key as given if that object exists (or, for a
 * deleted object, if that document exists and its decoded form does not), else its decoded form.
 */
async function targetOf(d: HandlerDeps, change: ObjectChange): Promise<DocumentKey | null> {
  const raw = parseDocumentKey(change.rawKey);
  const decoded = parseDocumentKey(decodedKey(change.rawKey));
  if (!raw || !decoded || (raw.corpus === decoded.corpus && raw.path === decoded.path)) return decoded ?? raw;
  const asGiven =
    change.kind === "created"
      ? (await d.blobs.head(change.rawKey)) !== null
      : (await d.repo.getDocument(raw.corpus, raw.path)) !== null &&
        (await d.repo.getDocument(decoded.corpus, decoded.path)) === null;
  return asGiven ? raw : decoded;
}

/**
 * S3 object events → the document's life: a created object is chunked, then brought into the serving
 * index (embedded with the serving model) without a run, and the retraining policy may start a run; a
 * deleted object (or a delete marker) deletes its document, whose passages leave the serving index.
 * Keys arrive URL-encoded; a duplicate or late event changes nothing (chunking an unchanged object is a
 * no-op; a deletion whose object exists, re-uploaded since or an older version current again, chunks what
 * is there; deleting what is gone is a no-op). Objects outside a corpus's docs folder are ignored; an event
 * of another shape is dead-lettered.
 */
export const createS3ObjectEventsHandler =
  (deps: () => Promise<HandlerDeps>) =>
  async (event: unknown): Promise<void> => {
    const d = await deps();
    const changes = objectChanges(event);
    if (!changes) {
      d.logger.error("event is not an S3 object event; dead-lettered");
      return d.deadLetter(event, "not an S3 object created or deleted event");
    }
    const engine = { ...d, startRun: (input: { corpus: string; tenant: string }) => startRun(d, input) };
    for (const change of changes) {
      const target = await targetOf(d, change);
      if (!target) {
        d.logger.info("object outside a docs folder ignored", { key: decodedKey(change.rawKey) });
        continue;
      }
      const key = `corpora/${target.corpus}/docs/${target.path}`;
      // A deletion whose object is there (uploaded again since, a delete marker removed, a current version
      // deleted so an older one is current) is the object's current content: chunk it (a no-op if unchanged).
      const present = change.kind === "deleted" && (await d.blobs.head(key)) !== null;
      if (present) d.logger.info("deletion of an object that exists handled as its current content", { key });
      if (change.kind === "created" || present) {
        const id = eventIds.documentUploaded(key, change.stamp);
        const outcome = await chunkDocument(
          { ...d, chunking: undefined },
          {
            id,
            time: change.time,
            type: "document.uploaded",
            corpus: target.corpus,
            detail: { key, size: change.size },
          },
        );
        const fresh = outcome === "missing" ? "missing" : await refreshDocument(d, target);
        d.logger.info("document handled", { key, outcome, fresh });
      } else {
        d.logger.info("document deleted by its object", { key, outcome: await deleteDocument(d, target) });
      }
      await retrainIfDue(engine, { corpus: target.corpus, policy: d.retrainAfter });
    }
  };
