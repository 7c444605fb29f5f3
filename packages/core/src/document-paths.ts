import type { BlobStore } from "./ports.ts";

/**
 * The rule for document paths (what follows `corpora/<corpus>/docs/`), the same on every runtime: S3
 * accepts almost any key, a folder on disk does not, so genq accepts only what both can hold.
 */
export const DOCUMENT_PATH_LIMITS = {
  /** Bytes of UTF-8 per path segment: the longest file name common file systems allow. */
  maxSegmentBytes: 255,
  /** Bytes of UTF-8 for the whole path: S3 keys stop at 1,024 bytes, and the corpus prefix needs room. */
  maxPathBytes: 900,
} as const;

/** The file types genq reads, by extension (`.jsonl` is a BEIR corpus). */
export const DOCUMENT_EXTENSIONS = [".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf", ".jsonl"] as const;

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

// C0 controls, DEL and C1 controls: a newline in a key breaks logs, listings and terminals.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A control character as users would write it (`\n`, `\u0007`). */
export function describeControl(ch: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0" };
  return named[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * What is wrong with a document path, or null when it is acceptable: relative, `/`-separated, no empty,
 * `.` or `..` segments, no backslash, no control characters, segments of at most 255 bytes and the
 * whole path at most 900 bytes. The message names the problem and, where there is one, the segment.
 */
export function documentPathProblem(path: string): string | null {
  if (path.length === 0) return "must not be empty";
  const control = CONTROL.exec(path);
  if (control) return `contains a control character (${describeControl(control[0])}) at position ${control.index + 1}`;
  if (path.includes("\\")) return "must use '/' between folders, not '\\'";
  if (path.startsWith("/")) return "must be relative (it starts with '/')";
  const bytes = utf8Length(path);
  if (bytes > DOCUMENT_PATH_LIMITS.maxPathBytes)
    return `is ${bytes} bytes long; the limit is ${DOCUMENT_PATH_LIMITS.maxPathBytes}`;
  for (const segment of path.split("/")) {
    if (segment === "" || segment === "." || segment === "..")
      return "must stay inside the corpus (no '..', '.' or empty segments)";
    const n = utf8Length(segment);
    if (n > DOCUMENT_PATH_LIMITS.maxSegmentBytes)
      return `has a ${n}-byte name ("${segment.slice(0, 24)}…"); a file or folder name may have at most ${DOCUMENT_PATH_LIMITS.maxSegmentBytes} bytes`;
  }
  return null;
}

/** The lower-cased extension of a path (`.md`), or "" when it has none. */
export const extensionOf = (path: string): string => /\.[^./]+$/.exec(path.toLowerCase())?.[0] ?? "";

/** Whether genq reads this kind of file (by extension). */
export const isSupportedDocument = (path: string): boolean =>
  (DOCUMENT_EXTENSIONS as readonly string[]).includes(extensionOf(path));

/**
 * A file/folder clash: a document may not sit where another document's folder is, nor under a path that
 * is itself a document (`guide` and `guide/intro.md` cannot both exist — a folder on disk cannot hold
 * both, so no runtime accepts it). Returns the existing path it clashes with and how, or null.
 */
export async function findPathClash(
  blobs: Pick<BlobStore, "head" | "list">,
  docsPrefix: string,
  path: string,
): Promise<{ existing: string; kind: "document-above" | "folder-here" } | null> {
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const above = segments.slice(0, i).join("/");
    if (await blobs.head(`${docsPrefix}${above}`)) return { existing: above, kind: "document-above" };
  }
  const below = await blobs.list(`${docsPrefix}${path}/`);
  if (below.length > 0) return { existing: below[0]!.key.slice(docsPrefix.length), kind: "folder-here" };
  return null;
}
