// Lambda: S3 ObjectCreated on corpora/*/docs/ → chunk the document.
import { awsDeps } from "../aws-deps.ts";
import { createS3ObjectCreatedHandler } from "../s3-object-created.ts";

export const handler = createS3ObjectCreatedHandler(async () => awsDeps().handlerDeps);
