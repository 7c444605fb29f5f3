import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { NotFoundError } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { errors } from "../schemas.ts";

const KeyInfo = z.object({ id: z.string().openapi({ description: "the key's id (a prefix of its hash): what revoking names" }), tenant: z.string(), createdAt: z.string() }).openapi("ApiKey");
const KeyParam = z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, "an API key id is 12 hexadecimal characters").openapi({ param: { name: "id", in: "path" } }) });

const listRoute = createRoute({ method: "get", path: "/v1/keys", tags: ["keys"], summary: "Your tenant's API keys (ids, never the keys)", responses: { 200: { description: "keys", content: { "application/json": { schema: z.object({ keys: z.array(KeyInfo) }) } } }, 401: errors[401] } });
const createKeyRoute = createRoute({
  method: "post", path: "/v1/keys", tags: ["keys"], summary: "Make another API key for your tenant (the key is shown once)",
  responses: { 201: { description: "made", content: { "application/json": { schema: KeyInfo.extend({ key: z.string() }) } } }, 401: errors[401] },
});
const revokeRoute = createRoute({
  method: "delete", path: "/v1/keys/{id}", tags: ["keys"], summary: "Revoke one of your tenant's API keys: requests with it get 401 from then on",
  request: { params: KeyParam },
  responses: { 200: { description: "revoked", content: { "application/json": { schema: z.object({ id: z.string(), revoked: z.literal(true) }) } } }, ...errors },
});

/** API keys of the caller's tenant: list, make, revoke (a key can revoke itself). */
export function registerKeyRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  app.openapi(listRoute, async (c) => c.json({ keys: await deps.apiKeys.list(c.get("tenant")) }, 200));
  app.openapi(createKeyRoute, async (c) => {
    const { key, info } = await deps.apiKeys.create(c.get("tenant"));
    return c.json({ ...info, key }, 201);
  });
  app.openapi(revokeRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deps.apiKeys.revoke(id, c.get("tenant")))) throw new NotFoundError(`no API key with id ${id}`);
    return c.json({ id, revoked: true as const }, 200);
  });
}
