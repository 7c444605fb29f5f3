import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDomainError, type DomainErrorCode, type Logger } from "@genq/core";

/** Every domain error code has a status (a new code does not compile until it gets one). */
const STATUS: Record<DomainErrorCode, ContentfulStatusCode> = {
  validation_failed: 400,
  malformed_event: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  concurrent_update: 409,
  document_rejected: 422,
  // Stored data that fails its integrity check: the server's fault, said plainly rather than hidden.
  corrupt_artifact: 500,
  unavailable: 503,
};

/** The one error mapper: domain errors to their status with their message; anything else is a 500 with no detail. */
export function errorResponse(c: Context, error: unknown, logger: Logger) {
  if (isDomainError(error)) return c.json({ error: { code: error.code, message: error.message } }, STATUS[error.code]);
  if (error instanceof HTTPException && error.status < 500) {
    return c.json({ error: { code: "bad_request", message: error.message || "bad request" } }, error.status as ContentfulStatusCode);
  }
  logger.error("request failed", { path: c.req.path, reason: error instanceof Error ? error.message : String(error) });
  return c.json({ error: { code: "internal", message: "internal error" } }, 500);
}

/** zod validation failures as 400s that name each field. */
export function validationResponse(c: Context, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) {
  const message = issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`).join("; ");
  return c.json({ error: { code: "validation_failed", message } }, 400);
}
