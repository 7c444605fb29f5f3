import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { NotFoundError, NotImplementedError } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { errors, problemOf } from "../schemas.ts";

const KeyInfo = z
  .object({
    id: z.string().openapi({
      description: "the key's id (the start of its hash): what revoking names",
      example: "3f9a2c41d07b8e55",
    }),
    tenant: z.string(),
    createdAt: z.string(),
    current: z.boolean().openapi({ description: "the key this request was made with" }),
  })
  .openapi("ApiKey");
const NewKey = z
  .object({
    id: z.string(),
    tenant: z.string(),
    createdAt: z.string(),
    key: z.string().openapi({ description: "the key itself: shown only now" }),
  })
  .openapi("NewApiKey");
const KeyId = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{16}$/, "a key id is 16 hexadecimal digits")
    .openapi({ param: { name: "id", in: "path" } }),
});
const notAvailable = { 501: problemOf("this runtime manages API keys outside the HTTP API") };

const listRoute = createRoute({
  method: "get",
  path: "/v1/keys",
  operationId: "listApiKeys",
  tags: ["keys"],
  summary: "Your tenant's API keys (ids and dates; keys themselves are never shown again)",
  responses: {
    200: { description: "keys", content: { "application/json": { schema: z.object({ keys: z.array(KeyInfo) }) } } },
    401: errors[401],
    ...notAvailable,
  },
});
const createKeyRoute = createRoute({
  method: "post",
  path: "/v1/keys",
  operationId: "createApiKey",
  tags: ["keys"],
  summary: "Make an API key for your tenant (the response is the only time it is shown)",
  responses: {
    201: { description: "the new key", content: { "application/json": { schema: NewKey } } },
    401: errors[401],
    ...notAvailable,
  },
});
const revokeRoute = createRoute({
  method: "delete",
  path: "/v1/keys/{id}",
  operationId: "revokeApiKey",
  tags: ["keys"],
  summary: "Revoke one of your tenant's API keys: requests with it get 401 from then on (a key can revoke itself)",
  request: { params: KeyId },
  responses: { 204: { description: "revoked" }, 400: errors[400], 401: errors[401], 404: errors[404], ...notAvailable },
});

/** API keys of the caller's tenant (the console's keys page, `genq keys`): list, make (shown once), revoke. */
export function registerKeyRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  const admin = () => {
    if (!deps.apiKeys) throw new NotImplementedError("this runtime manages API keys outside the HTTP API");
    return deps.apiKeys;
  };
  app.openapi(listRoute, async (c) => {
    const keys = admin();
    const mine = keys.idOf(c.get("apiKey"));
    return c.json({ keys: (await keys.list(c.get("tenant"))).map((k) => ({ ...k, current: k.id === mine })) }, 200);
  });
  app.openapi(createKeyRoute, async (c) => {
    const made = await admin().create(c.get("tenant"));
    return c.json({ id: made.id, tenant: made.tenant, createdAt: made.createdAt, key: made.key }, 201);
  });
  app.openapi(revokeRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await admin().revoke(c.get("tenant"), id))) throw new NotFoundError(`no key "${id}" for your tenant`);
    return c.body(null, 204);
  });
}
