import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import {
  ACCOUNT,
  ApiError,
  REGION,
  createSageMakerSimulator,
  type SageMakerEvent,
  type SageMakerSimulator,
} from "./sagemaker-simulator.ts";

const body = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });

function reply(res: ServerResponse, status: number, headers: Record<string, string>, payload: Uint8Array | string) {
  res.writeHead(status, headers);
  res.end(payload);
}

// Serverless endpoints take 4 MB per request, real-time ones 6 MB (SageMaker runtime API reference, InvokeEndpoint Body).
const MAX_PAYLOAD = { serverless: 4 * 1024 * 1024, realtime: 6 * 1024 * 1024 };

/**
 * SageMaker and SageMaker Runtime on one local HTTP server, speaking the wire protocols the AWS SDK
 * clients use: awsJson1_1 for SageMaker (`POST /`, `X-Amz-Target: SageMaker.<Operation>`, errors as
 * `{"__type", "Message"}`, times in epoch seconds) and restJson1 for InvokeEndpoint
 * (`POST /endpoints/{name}/invocations`; a container error is ModelError 424 carrying the container's
 * status and message). Point the real clients at `url` (or take `clients()`).
 */
export async function startSageMakerServer(o: {
  s3: S3Client;
  onEvent?: (event: SageMakerEvent) => void | Promise<void>;
}) {
  const sim: SageMakerSimulator = createSageMakerSimulator(o);
  /** Calls of an operation still to be refused as throttled. */
  const throttled = new Map<string, number>();
  const server = createServer(async (req, res) => {
    try {
      const raw = await body(req);
      const invoke = /^\/endpoints\/([^/]+)\/invocations$/.exec(req.url ?? "");
      if (req.method === "POST" && invoke) return await invocation(decodeURIComponent(invoke[1]!), raw, req, res);
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.startsWith("SageMaker.") ? target.slice("SageMaker.".length) : "";
      // SageMaker's API rate limits answer 400 ThrottlingException "Rate exceeded" (SageMaker API
      // reference, Common Errors: ThrottlingException, "The request was denied due to request throttling").
      const left = throttled.get(operation) ?? 0;
      if (left > 0) {
        throttled.set(operation, left - 1);
        return reply(
          res,
          400,
          { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "ThrottlingException" },
          JSON.stringify({ __type: "ThrottlingException", Message: "Rate exceeded" }),
        );
      }
      const handler = (sim.api as Record<string, (input: unknown) => unknown>)[operation];
      if (!handler)
        return reply(
          res,
          400,
          { "content-type": "application/x-amz-json-1.1" },
          JSON.stringify({
            __type: "UnknownOperationException",
            Message: `the simulator does not implement ${target || "this request"}`,
          }),
        );
      const out = await handler(JSON.parse(raw.toString("utf8") || "{}"));
      reply(
        res,
        200,
        { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": crypto.randomUUID() },
        JSON.stringify(out),
      );
    } catch (error) {
      if (error instanceof ApiError)
        return reply(
          res,
          400,
          { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": error.type },
          JSON.stringify({ __type: error.type, Message: error.message }),
        );
      reply(
        res,
        500,
        { "content-type": "application/x-amz-json-1.1" },
        JSON.stringify({ __type: "InternalFailure", Message: (error as Error).message }),
      );
    }
  });

  async function invocation(name: string, raw: Buffer, req: IncomingMessage, res: ServerResponse) {
    const target = sim.endpointContainer(name);
    const validation = (message: string) =>
      reply(
        res,
        400,
        { "content-type": "application/json", "x-amzn-errortype": "ValidationError" },
        JSON.stringify({ message }),
      );
    if ("error" in target) return validation(target.error);
    if (raw.length > (target.serverless ? MAX_PAYLOAD.serverless : MAX_PAYLOAD.realtime))
      return validation("Request payload size exceeds the endpoint's limit");
    const answer = await target.container.invoke(
      raw,
      String(req.headers["content-type"] ?? "application/octet-stream"),
      req.headers.accept,
    );
    if (answer.status !== 200) {
      const message = new TextDecoder().decode(answer.body);
      const logs = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${name}`;
      return reply(
        res,
        424,
        { "content-type": "application/json", "x-amzn-errortype": "ModelError" },
        JSON.stringify({
          message: `Received client error (${answer.status}) from primary with message "${message}". See https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logEventViewer:group=/aws/sagemaker/Endpoints/${name} in account ${ACCOUNT} for more information.`,
          OriginalStatusCode: answer.status,
          OriginalMessage: message,
          LogStreamArn: logs,
        }),
      );
    }
    reply(res, 200, { "content-type": answer.contentType, "x-amzn-invoked-production-variant": "tuned" }, answer.body);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { endpoint: url, region: REGION, credentials: { accessKeyId: "sim", secretAccessKey: "sim" } };
  return {
    ...sim,
    url,
    /** Refuse the next `times` calls of `operation` as throttled, as SageMaker does past its API rate. */
    throttle: (operation: string, times: number) => void throttled.set(operation, times),
    /** Real SDK clients wired to the simulator. */
    clients: () => ({ sagemaker: new SageMakerClient(config), runtime: new SageMakerRuntimeClient(config) }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SageMakerServer = Awaited<ReturnType<typeof startSageMakerServer>>;
