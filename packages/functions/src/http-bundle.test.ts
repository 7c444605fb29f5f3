import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * The HTTP function as Lambda runs it: bundled into one ES module by esbuild (what SST's function
 * builder uses), loaded with the function's environment, and called with an API Gateway payload 2.0
 * event (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 * The console and the API reference travel inside the bundle; their routes touch no AWS service.
 */
describe("the HTTP function's bundle", () => {
  it("carries the console and serves it and the API reference through API Gateway", async () => {
    // Inside the project so the bundle finds the AWS SDK the Lambda runtime provides (left out of it, as SST can).
    const cache = join(import.meta.dirname, "../../../node_modules/.cache");
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, "genq-http-bundle-"));
    const out = await build({
      entryPoints: [join(import.meta.dirname, "handlers/http.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      write: false,
      logLevel: "silent",
      external: ["@aws-sdk/*", "@smithy/*"],
      // CommonJS dependencies inside an ES module bundle need a require.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const code = out.outputFiles[0]!.contents;
    writeFileSync(join(dir, "http.mjs"), code);
    expect(Buffer.from(code).toString("utf8")).toContain('"/docs/swagger-ui-bundle.js"');

    const env: Record<string, string> = {
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      GENQ_BUCKET: "genq-docs",
      GENQ_TABLE: "genq",
      GENQ_EVENT_BUS: "genq",
      GENQ_DEAD_LETTER_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq",
      GENQ_OPENSEARCH_ENDPOINT: "https://search.example",
      GENQ_SAGEMAKER_ROLE_ARN: "arn:aws:iam::123456789012:role/sm",
      GENQ_QUERYGEN_MODEL: "qg",
      GENQ_TRAINING_IMAGE: "img",
      GENQ_INFERENCE_IMAGE: "img",
      GENQ_SOURCE_DIR: "s3://genq-docs/code/sourcedir.tar.gz",
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const { handler } = (await import(pathToFileURL(join(dir, "http.mjs")).href)) as {
        handler: (
          e: unknown,
          c: unknown,
        ) => Promise<{ statusCode: number; isBase64Encoded: boolean; body: string; headers: Record<string, string> }>;
      };
      const get = (path: string, headers: Record<string, string> = {}) =>
        handler(
          {
            version: "2.0",
            routeKey: "$default",
            rawPath: path,
            rawQueryString: "",
            headers: { host: "abc.execute-api.eu-west-1.amazonaws.com", ...headers },
            requestContext: {
              accountId: "123456789012",
              apiId: "abc",
              domainName: "abc.execute-api.eu-west-1.amazonaws.com",
              domainPrefix: "abc",
              http: { method: "GET", path, protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "test" },
              requestId: "r",
              routeKey: "$default",
              stage: "$default",
              time: "01/Jan/2026:00:00:00 +0000",
              timeEpoch: 0,
            },
            isBase64Encoded: false,
          },
          {},
        );
      const page = await get("/", { "accept-encoding": "gzip" });
      expect(page.statusCode).toBe(200);
      expect(page.isBase64Encoded).toBe(true);
      expect(gunzipSync(Buffer.from(page.body, "base64")).toString()).toContain("<title>genq console</title>");
      const docs = await get("/docs");
      expect(docs.body).toContain("docs/swagger-ui-bundle.js");
      const cors = await get("/health", { origin: "https://elsewhere.example" });
      expect(cors.statusCode).toBe(200);
      expect(cors.headers["access-control-allow-origin"]).toBeUndefined();
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
