import type { StageSettings } from "../stacks/settings.ts";

/** The OpenSearch domain (k-NN + BM25), sized per stage. */
export function search(settings: StageSettings) {
  const domain = new sst.aws.OpenSearch("Search", {
    instance: settings.search.instance as never,
    storage: `${settings.search.volumeGb} GB`,
  });
  return { domain };
}
