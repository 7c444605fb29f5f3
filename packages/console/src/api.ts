import { clearKey, getKey } from "./session.ts";

/** An error answer from the API: its status, code and message (the API's `error` object or a problem document). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the server refuses the stored key (401): the app signs out and says why. */
let onUnauthorized: (message: string) => void = () => {};
export const setUnauthorizedHandler = (f: (message: string) => void) => void (onUnauthorized = f);

export interface RequestOptions {
  method?: string;
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** A path under the app (relative, so a path prefix in front of the app keeps working). */
export const apiUrl = (path: string) => new URL(path.replace(/^\//, ""), document.baseURI).href;

/** Read an error response into an ApiError (genq's `{error: {code, message}}` or RFC 9457 problem details). */
export async function readError(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `request failed (${res.status})`;
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string };
      code?: string;
      detail?: string;
      title?: string;
    };
    code = body.error?.code ?? body.code ?? code;
    message = body.error?.message ?? body.detail ?? body.title ?? message;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(res.status, code, message);
}

/**
 * Call the API with the signed-in key in the Authorization header (never in the URL). Non-2xx answers
 * throw an ApiError; a 401 also signs the session out.
 */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  const key = getKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.accept) headers.accept = options.accept;
  const res = await fetch(apiUrl(path), {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (res.ok) return res;
  const error = await readError(res);
  if (res.status === 401 && key) {
    clearKey();
    onUnauthorized(`The server refused your API key: ${error.message}`);
  }
  throw error;
}

export const getJson = async <T>(path: string, options?: RequestOptions): Promise<T> =>
  (await request(path, options)).json() as Promise<T>;
export const postJson = async <T>(path: string, body: unknown, options?: RequestOptions): Promise<T> =>
  (await request(path, { ...options, body, method: options?.method ?? "POST" })).json() as Promise<T>;

/** Download an API resource as a file (fetched with the key, saved through a temporary object URL). */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A short readable message for any error. */
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
