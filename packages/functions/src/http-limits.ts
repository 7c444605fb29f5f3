/** Lambda's limit on a synchronous invocation's request payload: 6 MB (AWS Lambda developer guide, "Lambda quotas"). */
export const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;
// API Gateway's event wraps the body with headers and request context inside that same payload.
const ENVELOPE_BYTES = 256 * 1024;

/**
 * The HTTP app's limits on Lambda: bodies that reach the function but leave no room under the payload
 * limit are refused with 413 before they are read; a document sent through `POST …/documents` must fit
 * base64-encoded in such a body; larger documents (up to GENQ_MAX_DOCUMENT_MB) go through a presigned
 * upload. (Bodies over 6 MB never reach the function: API Gateway answers for it.)
 */
export function lambdaHttpLimits(maxDocumentMb: number) {
  const maxBodyBytes = LAMBDA_PAYLOAD_BYTES - ENVELOPE_BYTES;
  const maxDocumentBytes = Math.round(maxDocumentMb * 1024 * 1024);
  const base64Capacity = Math.floor(((maxBodyBytes - 4096) * 3) / 4);
  return { maxBodyBytes, maxDocumentBytes, maxUploadBytes: Math.min(maxDocumentBytes, base64Capacity) };
}
