import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { NotImplementedError, ValidationError, corpusIdFor, ensureCorpus, isSafeRelativePath, keys } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { CorpusParam, errors, problemOf } from "../schemas.ts";

/** How long a presigned upload URL stays valid. */
export const UPLOAD_URL_SECONDS = 15 * 60;

const UploadUrlRequest = z
  .object({
    path: z.string().min(1).max(1000).openapi({ example: "manuals/admin-guide.pdf" }),
    size: z
      .number()
      .int()
      .min(1)
      .openapi({ description: "the file's size in bytes; the URL accepts exactly this many" }),
    contentType: z.string().min(1).max(200).optional().openapi({ example: "application/pdf" }),
  })
  .strict()
  .openapi("UploadUrlRequest");

const UploadUrl = z
  .object({
    url: z.string(),
    method: z.literal("PUT"),
    headers: z.record(z.string(), z.string()).openapi({ description: "send exactly these headers with the PUT" }),
    key: z.string(),
    expiresAt: z.string(),
  })
  .openapi("UploadUrl");

const uploadUrlRoute = createRoute({
  method: "post",
  path: "/v1/corpora/{corpus}/uploads",
  operationId: "createUploadUrl",
  tags: ["corpora"],
  summary: "A presigned URL to upload a large document straight to the bucket (it is chunked like any dropped file)",
  request: {
    params: CorpusParam,
    body: { content: { "application/json": { schema: UploadUrlRequest } }, required: true },
  },
  responses: {
    200: {
      description: "PUT the file to `url` with `headers` before `expiresAt`",
      content: { "application/json": { schema: UploadUrl } },
    },
    501: problemOf("this runtime has no bucket that hands out upload URLs (the local one)"),
    ...errors,
  },
});

/**
 * `POST /v1/corpora/{corpus}/uploads`: for files too large to send through the API (a Lambda request
 * holds at most 6 MB), a presigned PUT URL for `corpora/<corpus>/docs/<path>`, bound to the file's size
 * and type. The corpus is created for the caller's tenant first, so the object's arrival is chunked into
 * that tenant's corpus. A store without presigned URLs answers 501 and points to the documents route.
 */
export function registerUploadRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  app.openapi(uploadUrlRoute, async (c) => {
    const { corpus } = c.req.valid("param");
    const body = c.req.valid("json");
    if (!deps.blobs.presignPut) {
      throw new NotImplementedError(
        `this runtime keeps documents on its own disk and hands out no upload URLs: send the file with POST /v1/corpora/${corpus}/documents`,
      );
    }
    if (!isSafeRelativePath(body.path))
      throw new ValidationError(
        "path: must be a relative path inside the corpus (no '..', empty or absolute segments)",
      );
    const limit = deps.limits.maxDocumentBytes ?? deps.limits.maxUploadBytes;
    if (body.size > limit) throw new ValidationError(`size: ${body.size} bytes, the limit is ${limit}`);
    const tenant = c.get("tenant");
    // The tenant's own name for the corpus; corpusIdFor says where it lives (its bare name for the default tenant).
    const owned = await ensureCorpus(deps, { name: corpusIdFor(tenant, corpus, deps.defaultTenant), tenant });
    const key = keys.doc(owned.name, body.path);
    const signed = await deps.blobs.presignPut(key, {
      expiresInSeconds: UPLOAD_URL_SECONDS,
      contentType: body.contentType,
      contentLength: body.size,
    });
    return c.json({ ...signed, key }, 200);
  });
}
