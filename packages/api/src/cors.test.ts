import { describe, expect, it } from "vitest";
import { parseOrigin } from "./cors.ts";
import { testApp } from "./test-app.ts";

// The CORS protocol as browsers run it: https://fetch.spec.whatwg.org/#http-cors-protocol — a preflight
// is an OPTIONS request with Origin and Access-Control-Request-Method and carries no credentials.
const preflight = (origin: string, headers = "authorization, content-type") => ({
  method: "OPTIONS",
  key: null,
  headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": headers },
});

describe("CORS", () => {
  it("answers preflights without a key, allowing only configured origins", async () => {
    const { call } = testApp({ corsOrigins: ["https://app.example.com"] });
    const ok = await call("/v1/corpora/docs/search", preflight("https://app.example.com"));
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(ok.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(ok.headers.get("access-control-allow-methods")).toContain("POST");
    expect(ok.headers.get("vary")).toContain("Origin");
    const other = await call("/v1/corpora/docs/search", preflight("https://evil.example"));
    expect(other.status).not.toBe(401);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows no foreign origin by default, but always the console's own", async () => {
    const { call } = testApp();
    const foreign = await call("http://localhost/v1/corpora", { headers: { origin: "https://app.example.com" } });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const own = await call("http://localhost/v1/corpora", { headers: { origin: "http://localhost" } });
    expect(own.headers.get("access-control-allow-origin")).toBe("http://localhost");
    expect(own.headers.get("access-control-expose-headers")).toContain("content-disposition");
  });

  it("puts the allowed origin on real responses, errors included, and allows any origin with *", async () => {
    const { call } = testApp({ corsOrigins: ["*"] });
    const refused = await call("/v1/corpora", { key: "wrong", headers: { origin: "https://anywhere.example" } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
    expect(
      (await call("/openapi.json", { key: null, headers: { origin: "https://anywhere.example" } })).headers.get(
        "access-control-allow-origin",
      ),
    ).toBe("*");
  });

  it("refuses configured values that are not origins, saying why", () => {
    expect(parseOrigin("https://app.example.com")).toBe("https://app.example.com");
    expect(parseOrigin("http://localhost:5173/")).toBe("http://localhost:5173");
    expect(parseOrigin("*")).toBe("*");
    expect(() => parseOrigin("app.example.com")).toThrow(/not an origin/);
    expect(() => parseOrigin("https://app.example.com/console")).toThrow(/scheme, host and port only/);
    expect(() => parseOrigin("ftp://files.example")).toThrow(/http or https/);
  });
});
