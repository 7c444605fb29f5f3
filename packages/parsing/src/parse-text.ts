import type { ParsedDocument } from "@genq/core";
import { baseTitle, decodeText, unwrapParagraphs } from "./decode.ts";

/** Plain text: one section titled after the file, hard-wrapped paragraphs joined. */
export function parseText(path: string, bytes: Uint8Array): ParsedDocument[] {
  const text = unwrapParagraphs(decodeText(bytes));
  const title = baseTitle(path);
  return [{ id: path, title, sections: [{ title, text }] }];
}
