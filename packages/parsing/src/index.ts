import type { ParsedDocument } from "@genq/core";
import { DOCUMENT_EXTENSIONS, DocumentRejectedError } from "@genq/core";
import { parseBeirCorpus } from "./parse-beir.ts";
import { parseHtml } from "./parse-html.ts";
import { parseMarkdown } from "./parse-markdown.ts";
import { parsePdf } from "./parse-pdf.ts";
import { parseText } from "./parse-text.ts";

export { decodeDocument, decodeText, tidy, unwrapParagraphs } from "./decode.ts";
export type { DecodedText } from "./decode.ts";
export { declaredCharset } from "./parse-html.ts";

/** The file types genq reads: one list for the parsers and the upload check (core's DOCUMENT_EXTENSIONS). */
export const SUPPORTED_EXTENSIONS = DOCUMENT_EXTENSIONS;

/**
 * Parse one uploaded object into documents, choosing the parser by extension (`.jsonl` is a BEIR
 * corpus). Anything that cannot be ingested throws DocumentRejectedError with the reason.
 */
export async function parseDocument(path: string, bytes: Uint8Array): Promise<ParsedDocument[]> {
  const ext = /\.[^./]+$/.exec(path.toLowerCase())?.[0] ?? "";
  switch (ext) {
    case ".txt":
    case ".text":
      return parseText(path, bytes);
    case ".md":
    case ".markdown":
      return parseMarkdown(path, bytes);
    case ".html":
    case ".htm":
      return parseHtml(path, bytes);
    case ".pdf":
      return parsePdf(path, bytes);
    case ".jsonl":
      return parseBeirCorpus(path, bytes);
    default:
      throw new DocumentRejectedError(
        `unsupported file type "${ext || "(none)"}"; genq reads ${SUPPORTED_EXTENSIONS.join(" ")}`,
      );
  }
}
