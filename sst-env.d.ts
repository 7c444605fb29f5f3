/* Maintained by hand: `sst deploy` / `sst dev` regenerate it. genq's functions read their settings from
 * environment variables (packages/functions/src/config.ts); these are the resources infra/ links. */
import "sst";
declare module "sst" {
  export interface Resource {
    Documents: { name: string; type: "sst.aws.Bucket" };
    State: { name: string; type: "sst.aws.Dynamo" };
    Events: { arn: string; name: string; type: "sst.aws.Bus" };
    DeadLetters: { url: string; type: "sst.aws.Queue" };
    Search: { url: string; username: string; password: string; type: "sst.aws.OpenSearch" };
    Api: { url: string; type: "sst.aws.ApiGatewayV2" };
  }
}
export {};
