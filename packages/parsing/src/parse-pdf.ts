import { extractText, getDocumentProxy } from "unpdf";
import type { ParsedDocument } from "@genq/core";
import { DocumentRejectedError } from "@genq/core";
import { baseTitle, tidy, unwrapParagraphs } from "./decode.ts";

/** PDF: the text layer of every page, one section per page titled `Title › page N`. */
export async function parsePdf(path: string, bytes: Uint8Array): Promise<ParsedDocument[]> {
  if (bytes.length === 0) throw new DocumentRejectedError("file is empty");
  let pages: string[];
  let title = baseTitle(path);
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    const meta = await pdf.getMetadata().catch(() => null);
    const metaTitle = (meta?.info as { Title?: unknown } | undefined)?.Title;
    if (typeof metaTitle === "string" && metaTitle.trim()) title = metaTitle.trim();
    pages = (await extractText(pdf, { mergePages: false })).text;
    await pdf.destroy();
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new DocumentRejectedError(`PDF could not be read: ${why}`, { cause });
  }
  const sections = pages
    .map((page, i) => ({
      title: pages.length > 1 ? `${title} › page ${i + 1}` : title,
      text: unwrapParagraphs(tidy(page)),
    }))
    .filter((s) => s.text);
  if (sections.length === 0)
    throw new DocumentRejectedError("PDF has no text layer (scanned images are not supported)");
  return [{ id: path, title, sections }];
}
