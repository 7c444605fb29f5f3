import { gunzipSync, gzipSync } from "node:zlib";
import { OpenAPIHono } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "./deps.ts";
import { registerStatic } from "./static.ts";
import { testApp } from "./test-app.ts";

const page = "<!doctype html><title>genq console</title>";
const asset = (body: string, type: string, immutable: boolean) => ({
  type,
  etag: `"e-${body.length}"`,
  immutable,
  size: body.length,
  gzip: gzipSync(body).toString("base64"),
});
const ASSETS = {
  "/": asset(page, "text/html; charset=utf-8", false),
  "/assets/app-ABC.js": asset("console.log(1)", "text/javascript; charset=utf-8", true),
  "/docs": asset("<!doctype html><title>docs</title>", "text/html; charset=utf-8", false),
};

function app(assets: typeof ASSETS | null = ASSETS) {
  const a = new OpenAPIHono<AppEnv>();
  registerStatic(a, assets);
  return a;
}

describe("the console's static files", () => {
  it("sends the stored gzip to clients that accept it, inflates for others, and needs no key", async () => {
    const gz = await app().request("/", { headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(gz.status).toBe(200);
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(page);
    const plain = await app().request("/");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(page);
    expect(plain.headers.get("vary")).toBe("Accept-Encoding");
  });

  it("revalidates pages, caches hashed files for a year, and answers 304 to a matching ETag", async () => {
    const html = await app().request("/");
    expect(html.headers.get("cache-control")).toBe("no-cache");
    expect(html.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(html.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(html.headers.get("x-content-type-options")).toBe("nosniff");
    const js = await app().request("/assets/app-ABC.js");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const again = await app().request("/", { headers: { "if-none-match": html.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect((await app().request("/assets/nope.js")).status).toBe(404);
  });

  it("says how to build the console where it was never built", async () => {
    const res = await app(null).request("/");
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build -w @genq\/console/);
  });

  it("serves the real built console and API reference from the app, before any key check", async () => {
    const { app: real } = testApp();
    const index = await real.request("/");
    expect(index.status).toBe(200);
    const html = await index.text();
    const script = /src="(assets\/app-[^"]+\.js)"/.exec(html)![1]!;
    const style = /href="(assets\/app-[^"]+\.css)"/.exec(html)![1]!;
    expect((await real.request(`/${script}`)).status).toBe(200);
    expect((await real.request(`/${style}`)).status).toBe(200);
    const docs = await (await real.request("/docs")).text();
    for (const file of ["docs/swagger-ui-bundle.js", "docs/swagger-ui.css", "docs/docs-init.js"]) {
      expect(docs).toContain(file);
      expect((await real.request(`/${file}`)).status).toBe(200);
    }
  });

  // API Gateway HTTP APIs carry binary bodies base64-encoded: hono's Lambda adapter does so for any
  // Content-Encoding other than identity (honojs/hono src/adapter/aws-lambda/handler.ts,
  // isContentEncodingBinary), and the event is payload format 2.0
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
  it("reaches a browser through API Gateway on Lambda as a base64 gzip body", async () => {
    const handler = handle(app());
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/",
      rawQueryString: "",
      cookies: [],
      headers: {
        host: "abc123.execute-api.eu-west-1.amazonaws.com",
        "accept-encoding": "gzip",
        "x-forwarded-proto": "https",
      },
      requestContext: {
        accountId: "123456789012",
        apiId: "abc123",
        domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
        domainPrefix: "abc123",
        http: { method: "GET", path: "/", protocol: "HTTP/1.1", sourceIp: "203.0.113.1", userAgent: "test" },
        requestId: "r1",
        routeKey: "$default",
        stage: "$default",
        time: "01/Jan/2026:00:00:00 +0000",
        timeEpoch: 1767225600000,
      },
      isBase64Encoded: false,
    };
    const out = (await handler(event as never, {} as never)) as {
      statusCode: number;
      isBase64Encoded: boolean;
      body: string;
      headers: Record<string, string>;
    };
    expect(out.statusCode).toBe(200);
    expect(out.isBase64Encoded).toBe(true);
    expect(out.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(Buffer.from(out.body, "base64")).toString()).toBe(page);
  });
});
