import type { StageSettings } from "../stacks/settings.ts";

/**
 * The documents bucket: users drop files under corpora/<corpus>/docs/; genq writes passages and runs
 * beside them. Its events go to EventBridge (S3 notifications can filter one prefix, not
 * corpora/<any>/docs/), where the documents rule picks out the docs folders.
 */
export function storage(settings: StageSettings) {
  const bucket = new sst.aws.Bucket("Documents", {
    versioning: settings.retainData,
    transform: { bucket: { forceDestroy: !settings.retainData } },
  });
  new aws.s3.BucketNotification("DocumentsToEventBridge", { bucket: bucket.name, eventbridge: true });
  return { bucket };
}
