import type { S3Event } from "aws-lambda";
import { chunkDocument, eventIds } from "@genq/core";
import { decodeS3Key } from "@genq/aws";
import type { HandlerDeps } from "./handler-deps.ts";

/**
 * S3 ObjectCreated → chunk the document. Keys arrive URL-encoded; the event id is the object's key and
 * sequencer, so a duplicate notification is recognised, and chunking an unchanged object is a no-op.
 */
export const createS3ObjectCreatedHandler = (deps: () => Promise<HandlerDeps>) => async (event: S3Event): Promise<void> => {
  const d = await deps();
  for (const record of event.Records) {
    const key = decodeS3Key(record.s3.object.key);
    const corpus = /^corpora\/([^/]+)\/docs\//.exec(key)?.[1];
    if (!corpus) {
      d.logger.info("object outside a docs folder ignored", { key });
      continue;
    }
    const id = eventIds.documentUploaded(key, record.s3.object.sequencer ?? record.s3.object.eTag ?? "");
    const outcome = await chunkDocument({ ...d, chunking: undefined }, { id, time: record.eventTime, type: "document.uploaded", corpus, detail: { key, size: record.s3.object.size } });
    d.logger.info("document handled", { key, outcome });
  }
};
