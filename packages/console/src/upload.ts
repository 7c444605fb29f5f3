import { readError } from "./api.ts";

/** A file to upload (a browser File, or a stand-in in tests). */
export interface UploadFile {
  name: string;
  size: number;
  type: string;
  bytes(): Promise<Uint8Array>;
}

/** Calls the genq API with the key (resolves with any status); `putObject` reaches the bucket without it. */
export interface UploadDeps {
  api(path: string, init: { method: string; body: unknown }): Promise<Response>;
  putObject(
    url: string,
    init: { method: string; headers: Record<string, string>; body: Blob | FormData | Uint8Array },
  ): Promise<Response>;
}

/** An upload ticket from `POST /v1/corpora/{c}/uploads`: a presigned PUT (url + headers) or POST (url + form fields). */
interface Ticket {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  fields?: Record<string, string>;
  key?: string;
}

/** Statuses that mean "this server has no upload URLs": fall back to the JSON documents route. */
const NO_UPLOAD_URLS = new Set([404, 405, 501]);

function encode(bytes: Uint8Array): { content: string; encoding: "utf8" | "base64" } {
  try {
    return { content: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf8" };
  } catch {
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { content: btoa(binary), encoding: "base64" };
  }
}

/**
 * Upload one file into a corpus the way the server prefers: ask for a presigned bucket URL first (large
 * files never pass through the API, whose request size is limited on Lambda) and send the bytes there;
 * where the store has no upload URLs (501) send them through `POST /documents` as JSON (UTF-8 text as
 * is, anything else base64). The API key goes only to the API, never to the bucket.
 */
export async function uploadFile(
  deps: UploadDeps,
  corpus: string,
  file: UploadFile,
): Promise<{ via: "presigned" | "json" }> {
  const base = `v1/corpora/${encodeURIComponent(corpus)}`;
  const asked = await deps.api(`${base}/uploads`, {
    method: "POST",
    body: { path: file.name, size: file.size, contentType: file.type || "application/octet-stream" },
  });
  if (asked.ok) {
    const ticket = (await asked.json()) as Ticket;
    const bytes = await file.bytes();
    let res: Response;
    if (ticket.fields) {
      const form = new FormData();
      for (const [k, v] of Object.entries(ticket.fields)) form.append(k, v);
      form.append("file", new Blob([bytes as BlobPart], { type: file.type || "application/octet-stream" }), file.name);
      res = await deps.putObject(ticket.url, { method: "POST", headers: {}, body: form });
    } else {
      res = await deps.putObject(ticket.url, {
        method: ticket.method ?? "PUT",
        headers: ticket.headers ?? {},
        body: bytes,
      });
    }
    if (!res.ok) throw new Error(`the bucket refused the upload (${res.status})`);
    return { via: "presigned" };
  }
  if (!NO_UPLOAD_URLS.has(asked.status)) throw await readError(asked);
  const sent = await deps.api(`${base}/documents`, {
    method: "POST",
    body: { path: file.name, ...encode(await file.bytes()) },
  });
  if (!sent.ok) throw await readError(sent);
  return { via: "json" };
}
