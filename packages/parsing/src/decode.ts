import { DocumentRejectedError } from "@genq/core";

/**
 * Decode bytes as UTF-8 text, refusing what is not text: empty files, binary files (NUL bytes) and
 * invalid UTF-8, each with a reason a user can act on. A UTF-8 byte-order mark is dropped.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DocumentRejectedError("file is empty");
  const probe = bytes.subarray(0, Math.min(bytes.length, 8192));
  if (probe.includes(0)) throw new DocumentRejectedError("file looks binary (it contains NUL bytes), not text");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new DocumentRejectedError(`file is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`, { cause });
  }
  if (text.trim() === "") throw new DocumentRejectedError("file has no text (only whitespace)");
  return text;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0, hi = bytes.length;
  // Binary search for the shortest prefix that fails to decode (a truncated sequence at the cut is
  // tolerated by decoding with stream: true).
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

/** Normalise whitespace inside lines and collapse runs of blank lines; keeps line structure. */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[\t\f\v\u00a0 ]+/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Join hard-wrapped lines of prose paragraphs (plain text is often wrapped at ~72 columns) while
 * keeping lists, indented blocks and short lines such as code as their own lines.
 */
export function unwrapParagraphs(raw: string): string {
  return raw
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n/)
    .map((para) => {
      const lines = para.split("\n");
      const prose = lines.every((l) => !/^\s/.test(l) && !/^\s*([-*+•]|\d+[.)])\s/.test(l));
      return prose ? lines.join(" ") : lines.join("\n");
    })
    .map(tidy)
    .filter(Boolean)
    .join("\n\n");
}

/** File name without folders and extension: the fallback title. */
export function baseTitle(path: string): string {
  const name = path.split("/").pop() ?? path;
  return name.replace(/\.[^.]+$/, "");
}
