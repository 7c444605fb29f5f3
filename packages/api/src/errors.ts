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
  payload_too_large: 413,
  unsupported_type: 415,
  document_rejected: 422,
  // Stored data that fails its integrity check: the server's fault, said plainly rather than hidden.
  corrupt_artifact: 500,
  unavailable: 503,
  storage_failed: 507,
  not_implemented: 501,
};

/** Short titles of the problem types (RFC 9457 `title`: the same for every occurrence of a type). */
const TITLE: Record<string, string> = {
  validation_failed: "Invalid request",
  malformed_event: "Malformed event",
  unauthorized: "Missing or invalid API key",
  not_found: "Not found",
  conflict: "Conflict",
  concurrent_update: "Concurrent update",
  payload_too_large: "Content too large",
  unsupported_type: "Unsupported document type",
  document_rejected: "Document rejected",
  corrupt_artifact: "Stored data is damaged",
  unavailable: "Temporarily unavailable",
  storage_failed: "Storage unavailable",
  not_implemented: "Not implemented",
  method_not_allowed: "Method not allowed",
  header_too_large: "Request header fields too large",
  bad_request: "Bad request",
  internal: "Internal error",
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/**
 * An RFC 9457 problem document. `type` is a URN per genq error code, `code` is that code (the field
 * clients switch on), `detail` the readable message, `instance` the request path, `requestId` the id
 * echoed in `X-Request-Id`. `error: {code, message}` repeats code and detail for clients written
 * against the earlier error shape.
 */
export function problem(code: string, status: number, detail: string, instance?: string, requestId?: string) {
  return {
    type: `urn:genq:problem:${code}`,
    title: TITLE[code] ?? "Error",
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
    error: { code, message: detail },
  };
}

/** A problem response for this request (content type application/problem+json). */
export function problemResponse(
  c: Context,
  code: string,
  status: ContentfulStatusCode,
  detail: string,
  headers: Record<string, string> = {},
) {
  const requestId = c.get("requestId") as string | undefined;
  return c.body(JSON.stringify(problem(code, status, detail, c.req.path, requestId)), status, {
    "content-type": PROBLEM_CONTENT_TYPE,
    ...headers,
  });
}

/** The one error mapper: domain errors to their status with their message; anything else is a 500 with no detail. */
export function errorResponse(c: Context, error: unknown, logger: Logger) {
  if (isDomainError(error)) return problemResponse(c, error.code, STATUS[error.code], error.message);
  if (error instanceof HTTPException && error.status < 500) {
    return problemResponse(c, "bad_request", error.status as ContentfulStatusCode, error.message || "bad request");
  }
  logger.error("request failed", {
    path: c.req.path,
    requestId: c.get("requestId"),
    reason: error instanceof Error ? error.message : String(error),
  });
  return problemResponse(c, "internal", 500, "internal error");
}

/** zod validation failures as 400s that name each field. */
export function validationResponse(c: Context, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) {
  const message = issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`).join("; ");
  return problemResponse(c, "validation_failed", 400, message);
}
