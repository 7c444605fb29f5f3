import { parse as parseYaml } from "yaml";
import type { Metadata, ParsedDocument, ParsedSection } from "@genq/core";
import { DocumentRejectedError, normalizeMetadata } from "@genq/core";
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

const FRONT_MATTER = /^---\n([\s\S]*?)\n---(?:\n|$)/;

/**
 * YAML front matter as metadata (keys in lower case, lists kept, dates as ISO text); front matter that
 * is not YAML or not a mapping yields none (it never rejects the document).
 */
function frontMatter(yaml: string): Metadata {
  try {
    return normalizeMetadata(parseYaml(yaml, { schema: "core" }) as unknown);
  } catch {
    return {};
  }
}

/**
 * Markdown: one section per heading, titled with the heading path (`Doc › Chapter › Section`);
 * fenced code keeps its lines; YAML front matter becomes the document's metadata (its `title` titles a
 * document without a level-1 heading).
 */
export function parseMarkdown(path: string, bytes: Uint8Array): ParsedDocument[] {
  const decoded = decodeDocument(bytes);
  const text = decoded.text.replace(/\r\n?/g, "\n");
  const header = FRONT_MATTER.exec(text);
  const metadata = header ? frontMatter(header[1]!) : {};
  const source = header ? text.slice(header[0].length) : text;
  const sections: ParsedSection[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  let docTitle = "";
  const declaredTitle = typeof metadata.title === "string" ? metadata.title : "";
  let buffer: string[] = [];
  let inFence = false;
  const flush = () => {
    const text = unwrapParagraphs(buffer.join("\n"));
    const title = [docTitle || declaredTitle || baseTitle(path), ...stack.map((h) => h.text)]
      .filter((t, i, a) => a.indexOf(t) === i)
      .join(" › ");
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
  return [
    {
      id: path,
      title: docTitle || declaredTitle || baseTitle(path),
      sections,
      ...(Object.keys(metadata).length ? { metadata } : {}),
      ...(decoded.note ? { notes: [decoded.note] } : {}),
    },
  ];
}
