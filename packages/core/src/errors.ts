/**
 * Domain errors. Every error genq raises on purpose carries a stable string `code` that adapters,
 * the HTTP error mapper and the CLI translate; `cause` keeps the underlying error for logs only.
 */
export const DOMAIN_ERROR_CODES = [
  "validation_failed",
  "not_found",
  "concurrent_update",
  "document_rejected",
  "malformed_event",
  "corrupt_artifact",
  "unauthorized",
  "conflict",
  "unavailable",
  "unsupported_type",
  "payload_too_large",
  "storage_failed",
  "not_implemented",
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  constructor(code: DomainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Input that breaks a rule: the message names the field or the problem. */
export class ValidationError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("validation_failed", message, options);
  }
}

/** A corpus, run, document or artifact that does not exist (or that the caller may not see). */
export class NotFoundError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("not_found", message, options);
  }
}

/** A compare-and-set write lost a race: somebody else changed the record first. */
export class ConcurrentUpdateError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("concurrent_update", message, options);
  }
}

/** A document that cannot be ingested; the message is shown to users as the rejection reason. */
export class DocumentRejectedError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("document_rejected", message, options);
  }
}

/** An event that can never be processed (wrong shape): it is dead-lettered, never retried. */
export class MalformedEventError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("malformed_event", message, options);
  }
}

/** A stored artifact (model, index) that is truncated or corrupt: it is refused, never used. */
export class CorruptArtifactError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("corrupt_artifact", message, options);
  }
}

/** Missing or wrong credentials. */
export class UnauthorizedError extends DomainError {
  constructor(message = "missing or invalid API key", options?: { cause?: unknown }) {
    super("unauthorized", message, options);
  }
}

/** The request is valid but the resource is not in a state that allows it (e.g. nothing served yet). */
export class ConflictError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("conflict", message, options);
  }
}

/** The runtime does not offer this (e.g. upload URLs where documents live on the server's own disk); the message says what works instead. */
export class NotImplementedError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("not_implemented", message, options);
  }
}

/** A dependency is briefly unavailable (throttled, timed out, busy): the work is retried, never failed for it. */
export class TransientError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("unavailable", message, options);
  }
}

/** Content of a kind genq does not read (a file type it has no parser for). */
export class UnsupportedTypeError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("unsupported_type", message, options);
  }
}

/** Content over a size limit; the message names the size and the limit. */
export class PayloadTooLargeError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("payload_too_large", message, options);
  }
}

/**
 * Storage that cannot be used (a full disk, a read-only folder, a damaged database file): the message
 * names the file and what to do about it.
 */
export class StorageError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("storage_failed", message, options);
  }
}

/** Errors that a retry can cure: they are retried (with back-off) rather than failing a run's stage. */
export const isTransient = (error: unknown): boolean =>
  error instanceof TransientError || error instanceof ConcurrentUpdateError;

/** A readable one-line reason for an error, for run records and logs (never a stack trace). */
export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
