import type { StageSettings } from "../stacks/settings.ts";

/** The documents bucket: users drop files under corpora/<corpus>/docs/; genq writes passages and runs beside them. */
export function storage(settings: StageSettings) {
  const bucket = new sst.aws.Bucket("Documents", {
    versioning: settings.retainData,
    transform: { bucket: { forceDestroy: !settings.retainData } },
  });
  return { bucket };
}
