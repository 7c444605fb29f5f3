import { DocumentRejectedError } from "@genq/core";

/** Text and, when it was not plain UTF-8, a note saying how it was decoded (kept on the document record). */
export interface DecodedText {
  text: string;
  note: string | null;
}

// Labels documents declare for single-byte Western encodings; WHATWG decodes every one as windows-1252.
const LATIN = new Set([
  "iso-8859-1",
  "iso8859-1",
  "latin1",
  "latin-1",
  "l1",
  "windows-1252",
  "cp1252",
  "us-ascii",
  "ascii",
  "iso-8859-15",
  "latin9",
]);

// windows-1252's printable characters at 0x80–0x9F (WHATWG's table; the five undefined bytes stay C1 controls).
const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** windows-1252 by the WHATWG table (Node's own decoder for this label treats 0x80–0x9F as Latin-1 controls). */
function decodeWindows1252(bytes: Uint8Array): string {
  return new TextDecoder("latin1")
    .decode(bytes)
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/** Whether the bytes hold at least one well-formed multi-byte UTF-8 sequence (text that is mostly UTF-8). */
function hasUtf8Sequence(bytes: Uint8Array): boolean {
  for (let i = 0; i + 1 < bytes.length; i++) {
    const b = bytes[i]!;
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (
      n &&
      i + n < bytes.length &&
      Array.from({ length: n }, (_, k) => bytes[i + 1 + k]!).every((c) => c >= 0x80 && c <= 0xbf)
    )
      return true;
  }
  return false;
}

/**
 * Decode a document's bytes, refusing what is not text (empty, binary) with a reason a user can act on:
 * - a byte-order mark decides (UTF-8, UTF-16LE, UTF-16BE; the mark is dropped);
 * - else a declared charset (an HTML `<meta charset>`) of a Western single-byte encoding is honoured;
 * - else valid UTF-8 is UTF-8;
 * - else text with no UTF-8 sequence at all is Latin-1/windows-1252 (what older Western files are);
 *   a mix of UTF-8 and stray bytes is refused as invalid UTF-8 (it is damaged, not another encoding).
 * Anything but plain UTF-8 comes with a note naming the encoding.
 */
export function decodeDocument(bytes: Uint8Array, declared?: string): DecodedText {
  if (bytes.length === 0) throw new DocumentRejectedError("file is empty");
  let text: string;
  let note: string | null = null;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    text = new TextDecoder("utf-16le").decode(bytes);
    note = "decoded from UTF-16LE (byte-order mark)";
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    text = new TextDecoder("utf-16be").decode(bytes);
    note = "decoded from UTF-16BE (byte-order mark)";
  } else {
    const probe = bytes.subarray(0, Math.min(bytes.length, 8192));
    if (probe.includes(0)) throw new DocumentRejectedError("file looks binary (it contains NUL bytes), not text");
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    const label = declared?.trim().toLowerCase();
    if (!bom && label && LATIN.has(label)) {
      text = decodeWindows1252(bytes);
      note = `decoded as windows-1252 (the document declares ${label})`;
    } else {
      try {
        text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
      } catch (cause) {
        if (hasUtf8Sequence(bytes))
          throw new DocumentRejectedError(
            `file is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`,
            { cause },
          );
        text = decodeWindows1252(bytes);
        note = "not UTF-8: decoded as Latin-1 (windows-1252)";
      }
    }
  }
  if (text.trim() === "") throw new DocumentRejectedError("file has no text (only whitespace)");
  return { text, note };
}

/** Decode bytes as text (see decodeDocument), without the note. */
export function decodeText(bytes: Uint8Array): string {
  return decodeDocument(bytes).text;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0,
    hi = bytes.length;
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
