import type { ParsedDocument } from "@genq/core";
import { baseTitle, decodeDocument, unwrapParagraphs } from "./decode.ts";

/** Plain text: one section titled after the file, hard-wrapped paragraphs joined. */
export function parseText(path: string, bytes: Uint8Array): ParsedDocument[] {
  const decoded = decodeDocument(bytes);
  const text = unwrapParagraphs(decoded.text);
  const title = baseTitle(path);
  return [{ id: path, title, sections: [{ title, text }], ...(decoded.note ? { notes: [decoded.note] } : {}) }];
}
