import type { ParsedDocument, ParsedSection } from "@genq/core";
import { DocumentRejectedError } from "@genq/core";
import { baseTitle, decodeDocument, unwrapParagraphs } from "./decode.ts";

/** Strip inline Markdown syntax, keeping the words a reader sees. */
function inline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|\W)[*_]([^*_\n]+)[*_](?=\W|$)/g, "$1$2");
}

/**
 * Markdown: one section per heading, titled with the heading path (`Doc › Chapter › Section`);
 * fenced code keeps its lines; front matter is dropped.
 */
export function parseMarkdown(path: string, bytes: Uint8Array): ParsedDocument[] {
  const decoded = decodeDocument(bytes);
  const source = decoded.text.replace(/\r\n?/g, "\n").replace(/^---\n[\s\S]*?\n---\n/, "");
  const sections: ParsedSection[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  let docTitle = "";
  let buffer: string[] = [];
  let inFence = false;
  const flush = () => {
    const text = unwrapParagraphs(buffer.join("\n"));
    const title = [docTitle || baseTitle(path), ...stack.map((h) => h.text)].filter((t, i, a) => a.indexOf(t) === i).join(" › ");
    if (text) sections.push({ title, text });
    buffer = [];
  };
  for (const line of source.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    const heading = inFence ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) {
      buffer.push(inFence ? `    ${line}` : inline(line));
      continue;
    }
    flush();
    const level = heading[1]!.length;
    const text = inline(heading[2]!);
    if (!docTitle && level === 1) docTitle = text;
    while (stack.length && stack[stack.length - 1]!.level >= level) stack.pop();
    stack.push({ level, text });
  }
  flush();
  if (sections.length === 0) throw new DocumentRejectedError("document has no readable text (only headings or markup)");
  return [{ id: path, title: docTitle || baseTitle(path), sections, ...(decoded.note ? { notes: [decoded.note] } : {}) }];
}
