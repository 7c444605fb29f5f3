/** The HTTP API: API Gateway in front of the same Hono app the local runtime serves. */
export function api(http: sst.aws.Function) {
  const gateway = new sst.aws.ApiGatewayV2("Api");
  gateway.route("$default", http.arn);
  return { gateway };
}
