import { gunzipSync } from "node:zlib";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { assets as built, type StaticAsset } from "@genq/console";
import type { Context } from "hono";
import type { AppEnv } from "./deps.ts";

/**
 * The console's Content-Security-Policy: its own scripts only, no inline script, no framing; `https:`
 * for presigned uploads straight to the bucket. The report's inline <style> needs 'unsafe-inline' styles.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' https:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

interface Decoded {
  asset: StaticAsset;
  gzip: Uint8Array;
  plain?: Uint8Array;
}

/**
 * Serve the built console (`/`, `/assets/*`) and the API reference (`/docs`, `/docs/*`) without a key:
 * stored gzipped, sent as is to clients that accept gzip (every browser) and inflated once for others;
 * strong ETags with 304s; hashed assets cached for a year, pages revalidated every time. Where the
 * console was never built, these paths answer 503 saying how to build it.
 */
export function registerStatic(app: OpenAPIHono<AppEnv>, assets: Readonly<Record<string, StaticAsset>> | null = built) {
  const cache = new Map<string, Decoded>();
  const load = (path: string): Decoded | null => {
    let d = cache.get(path);
    if (!d) {
      const asset = assets?.[path];
      if (!asset) return null;
      cache.set(path, (d = { asset, gzip: Uint8Array.from(Buffer.from(asset.gzip, "base64")) }));
    }
    return d;
  };
  const send = (c: Context<AppEnv>, path: string) => {
    if (!assets)
      return c.text(
        "The genq console is not built: run `npm install` (or `npm run build -w @genq/console`) and restart.\n",
        503,
      );
    const d = load(path);
    if (!d) return c.notFound();
    const headers: Record<string, string> = {
      "content-type": d.asset.type,
      etag: d.asset.etag,
      "cache-control": d.asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      vary: "Accept-Encoding",
    };
    if (d.asset.type.startsWith("text/html")) {
      headers["content-security-policy"] = path === "/docs" ? DOCS_CSP : CONSOLE_CSP;
      headers["referrer-policy"] = "no-referrer";
      headers["x-frame-options"] = "DENY";
    }
    const validators = (c.req.header("if-none-match") ?? "").split(",").map((v) => v.trim().replace(/^W\//, ""));
    if (validators.includes(d.asset.etag) || validators.includes("*")) return c.body(null, 304, headers);
    if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? ""))
      return c.body(d.gzip as Uint8Array<ArrayBuffer>, 200, { ...headers, "content-encoding": "gzip" });
    d.plain ??= Uint8Array.from(gunzipSync(d.gzip));
    return c.body(d.plain as Uint8Array<ArrayBuffer>, 200, headers);
  };
  app.get("/", (c) => send(c, "/"));
  app.get("/docs", (c) => send(c, "/docs"));
  app.get("/docs/:file", (c) => send(c, `/docs/${c.req.param("file")}`));
  app.get("/assets/:file", (c) => send(c, `/assets/${c.req.param("file")}`));
}
