import type { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import type { AppEnv } from "./deps.ts";

/** Request headers a browser may send to the API, and response headers its scripts may read. */
const ALLOW_HEADERS = ["authorization", "x-api-key", "content-type", "accept", "last-event-id"];
const EXPOSE_HEADERS = ["content-disposition", "etag", "retry-after", "x-request-id"];

/**
 * An origin as browsers send it: scheme, host and port only (`https://app.example.com`), or `*` for
 * any. Anything else is refused with a reason, so a typo in the configuration is caught at start.
 */
export function parseOrigin(value: string): string {
  const v = value.trim();
  if (v === "*") return v;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new Error(`"${v}" is not an origin such as https://app.example.com`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`"${v}": an origin is http or https`);
  if (url.origin !== v.replace(/\/$/, ""))
    throw new Error(`"${v}" is not an origin: give scheme, host and port only (${url.origin})`);
  return url.origin;
}

/** A comma-separated list of origins (or `*`), each checked by `parseOrigin`; every problem is returned, none thrown. */
export function parseOrigins(text: string): { origins: string[]; problems: string[] } {
  const origins: string[] = [];
  const problems: string[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    try {
      origins.push(parseOrigin(part));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return { origins, problems };
}

/**
 * CORS for the API: the console's own origin (the origin this server answers on) always, plus the
 * configured origins (none by default; `*` allows any). Preflights are answered before the key is
 * checked — a browser sends none with them — and only allowed origins get `Access-Control-Allow-Origin`.
 * No credentials mode: the console sends its key in a header, never a cookie.
 */
export function registerCors(app: OpenAPIHono<AppEnv>, origins: readonly string[] = []) {
  const allowed = new Set(origins);
  const any = allowed.has("*");
  const middleware = cors({
    origin: (origin, c) => {
      if (!origin) return null;
      if (any) return "*";
      if (allowed.has(origin)) return origin;
      return origin === new URL(c.req.url).origin ? origin : null;
    },
    allowMethods: ["GET", "HEAD", "POST", "PUT", "DELETE"],
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
  });
  for (const path of ["/v1/*", "/openapi.json", "/health"]) app.use(path, middleware);
}
