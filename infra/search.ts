import type { StageSettings } from "../stacks/settings.ts";

/**
 * The OpenSearch domain (k-NN + BM25), sized per stage. SST's component appends ".search" to the
 * instance type and creates one data node whatever is asked (sst/sst
 * platform/src/components/aws/open-search.ts, `createDomain`), so the node count and, from two nodes
 * on, the spread over two Availability Zones are set through its `transform`. The domain uses
 * fine-grained access control with an internal master user; the functions get its credentials.
 */
export function search(settings: StageSettings) {
  const count = settings.search.instanceCount;
  const domain = new sst.aws.OpenSearch("Search", {
    instance: settings.search.instance,
    storage: `${settings.search.volumeGb} GB`,
    transform: {
      domain: (args: aws.opensearch.DomainArgs) => {
        args.clusterConfig = $output(args.clusterConfig).apply((cluster) => ({
          ...cluster,
          instanceCount: count,
          zoneAwarenessEnabled: count > 1,
          ...(count > 1 ? { zoneAwarenessConfig: { availabilityZoneCount: 2 } } : {}),
        }));
      },
    },
  });
  return { domain };
}
