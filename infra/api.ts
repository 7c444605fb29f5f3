/** The HTTP API: API Gateway in front of the same Hono app the local runtime serves. */
export function api(fn: (name: string, handler: string, options?: { bedrock?: boolean }) => sst.aws.Function) {
  const http = fn("Http", "packages/functions/src/handlers/http.handler", { bedrock: true });
  const gateway = new sst.aws.ApiGatewayV2("Api");
  gateway.route("$default", http.arn);
  return { gateway };
}
