// Lambda: API Gateway → the same Hono app the local runtime serves.
import { handle } from "hono/aws-lambda";
import { awsDeps } from "../aws-deps.ts";
import { createAwsHttpApp } from "../http-app.ts";

export const handler = handle(createAwsHttpApp(awsDeps()));
