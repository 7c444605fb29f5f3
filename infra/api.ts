/**
 * The HTTP API: API Gateway in front of the same Hono app the local runtime serves. API Gateway's own
 * CORS stays off (SST turns it on for every origin by default, and it would override the app's): the app
 * answers preflights and allows the console's origin plus GENQ_CORS_ORIGINS.
 */
export function api(http: sst.aws.Function) {
  const gateway = new sst.aws.ApiGatewayV2("Api", { cors: false });
  gateway.route("$default", http.arn);
  return { gateway };
}
