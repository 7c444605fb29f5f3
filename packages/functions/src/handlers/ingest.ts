// Lambda: S3 "Object Created" / "Object Deleted" under corpora/*/docs/ (EventBridge) → chunk and index, or delete.
import { awsDeps } from "../aws-deps.ts";
import { createS3ObjectEventsHandler } from "../s3-object-events.ts";

export const handler = createS3ObjectEventsHandler(async () => awsDeps().handlerDeps);
