import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { NotFoundError } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { ErrorSchema, errors } from "../schemas.ts";

const KeyInfo = z.object({ id: z.string().openapi({ example: "3f9a2c41d07b8e55" }), createdAt: z.string(), current: z.boolean().openapi({ description: "the key this request was made with" }) }).openapi("ApiKey");
const KeyId = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, "a key id is 16 hexadecimal digits").openapi({ param: { name: "id", in: "path" } }) });
const notAvailable = { 501: { description: "this runtime manages API keys outside the HTTP API", content: { "application/json": { schema: ErrorSchema } } } };

const listRoute = createRoute({ method: "get", path: "/v1/keys", operationId: "listApiKeys", tags: ["keys"], summary: "Your tenant's API keys (ids and dates; keys themselves are never shown again)", responses: { 200: { description: "keys", content: { "application/json": { schema: z.object({ keys: z.array(KeyInfo) }) } } }, 401: errors[401], ...notAvailable } });
const createKeyRoute = createRoute({ method: "post", path: "/v1/keys", operationId: "createApiKey", tags: ["keys"], summary: "Make an API key for your tenant (the response is the only time it is shown)", responses: { 201: { description: "the new key", content: { "application/json": { schema: z.object({ id: z.string(), key: z.string(), createdAt: z.string() }).openapi("NewApiKey") } } }, 401: errors[401], ...notAvailable } });
const revokeRoute = createRoute({ method: "delete", path: "/v1/keys/{id}", operationId: "revokeApiKey", tags: ["keys"], summary: "Revoke one of your tenant's API keys (refused at once afterwards)", request: { params: KeyId }, responses: { 204: { description: "revoked" }, 400: errors[400], 401: errors[401], 404: errors[404], ...notAvailable } });

/** API key routes for the console's keys page: list, make (shown once), revoke. */
export function registerKeyRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  const keys = deps.apiKeys;
  if (!keys) {
    const unavailable = { error: { code: "not_implemented", message: "this runtime manages API keys outside the HTTP API" } };
    app.openapi(listRoute, (c) => c.json(unavailable, 501));
    app.openapi(createKeyRoute, (c) => c.json(unavailable, 501));
    app.openapi(revokeRoute, (c) => c.json(unavailable, 501));
    return;
  }
  app.openapi(listRoute, async (c) => {
    const mine = keys.idOf(c.get("apiKey"));
    return c.json({ keys: (await keys.list(c.get("tenant"))).map((k) => ({ ...k, current: k.id === mine })) }, 200);
  });
  app.openapi(createKeyRoute, async (c) => c.json(await keys.create(c.get("tenant")), 201));
  app.openapi(revokeRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await keys.revoke(c.get("tenant"), id))) throw new NotFoundError(`no key "${id}" for your tenant`);
    return c.body(null, 204);
  });
}
