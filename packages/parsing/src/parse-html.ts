import { Parser } from "htmlparser2";
import type { ParsedDocument, ParsedSection } from "@genq/core";
import { DocumentRejectedError, normalizeMetadata } from "@genq/core";
import { baseTitle, decodeDocument, tidy } from "./decode.ts";

const SKIP = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "svg",
  "head",
  "nav",
  "iframe",
  "object",
  "canvas",
  "button",
  "select",
]);
const BLOCK = new Set([
  "p",
  "div",
  "section",
  "article",
  "main",
  "header",
  "footer",
  "aside",
  "li",
  "ul",
  "ol",
  "dl",
  "dt",
  "dd",
  "br",
  "tr",
  "table",
  "blockquote",
  "pre",
  "hr",
  "figure",
  "figcaption",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "title",
]);
const HEADING = /^h([1-6])$/;
/** <meta> names that describe the page's rendering, not its content. */
const RENDERING_META = new Set([
  "viewport",
  "theme-color",
  "color-scheme",
  "format-detection",
  "referrer",
  "robots",
  "generator",
]);

/** Class names of generated navigation (DocBook, Sphinx, common sites): not content. */
const BOILERPLATE_CLASS =
  /(^|\s)(navheader|navfooter|toc|sphinxsidebar|related|breadcrumbs?|skip-?link|headerlink|footer-nav)(\s|$)/i;

/**
 * The charset an HTML document declares in its first 1,024 bytes (`<meta charset=…>` or the
 * `http-equiv="Content-Type"` form), where browsers look for it; null when it declares none.
 */
export function declaredCharset(bytes: Uint8Array): string | null {
  const head = new TextDecoder("windows-1252").decode(bytes.subarray(0, 1024));
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * HTML: visible text only (no scripts, styles, navigation), one section per heading, titled with the
 * heading path; table cells are joined with ` | `, `<pre>` keeps its lines. `<meta name|property
 * content>` becomes the document's metadata (not those about rendering, such as viewport); a name met
 * twice keeps every value.
 */
export function parseHtml(path: string, bytes: Uint8Array): ParsedDocument[] {
  const decoded = decodeDocument(bytes, declaredCharset(bytes) ?? undefined);
  const html = decoded.text;
  const sections: ParsedSection[] = [];
  const headings: Array<{ level: number; text: string }> = [];
  let pageTitle = "";
  const skipStack: boolean[] = [];
  const skipping = () => skipStack.length > 0 && skipStack[skipStack.length - 1] === true;
  let inTitle = false;
  let heading: { level: number; text: string } | null = null;
  let preDepth = 0;
  let buffer = "";
  const meta: Record<string, string[]> = {};

  const sectionTitle = () => {
    const parts = [pageTitle || baseTitle(path), ...headings.map((h) => h.text)];
    return parts.filter((t, i) => t && parts.indexOf(t) === i).join(" › ");
  };
  const flush = () => {
    const text = tidy(buffer);
    if (text) sections.push({ title: sectionTitle(), text });
    buffer = "";
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === "title") inTitle = true;
        const metaName = (attributes.name ?? attributes.property ?? "").trim().toLowerCase();
        if (name === "meta" && metaName && attributes.content?.trim() && !RENDERING_META.has(metaName)) {
          // keywords are comma-separated tokens (WHATWG HTML), each one a value a filter can name.
          const values =
            metaName === "keywords"
              ? attributes.content
                  .split(",")
                  .map((k) => k.trim())
                  .filter(Boolean)
              : [attributes.content.trim()];
          (meta[metaName] ??= []).push(...values);
        }
        const skip =
          skipping() || (SKIP.has(name) && name !== "head") || BOILERPLATE_CLASS.test(attributes.class ?? "");
        skipStack.push(skip);
        if (skip) return;
        const h = HEADING.exec(name);
        if (h) {
          flush();
          heading = { level: Number(h[1]), text: "" };
          return;
        }
        if (name === "pre") preDepth++;
        if (name === "td" || name === "th") buffer += " | ";
        else if (BLOCK.has(name)) buffer += "\n";
      },
      ontext(text) {
        if (inTitle) {
          pageTitle += text;
          return;
        }
        if (skipping()) return;
        if (heading) heading.text += text;
        else buffer += preDepth > 0 ? text.replace(/\n/g, "\n") : text.replace(/\s+/g, " ");
      },
      onclosetag(name) {
        if (name === "title") {
          inTitle = false;
          pageTitle = tidy(pageTitle);
        }
        if (skipStack.pop() === true) return;
        const h = HEADING.exec(name);
        if (h && heading) {
          const text = tidy(heading.text).replace(/\n/g, " ");
          while (headings.length && headings[headings.length - 1]!.level >= heading.level) headings.pop();
          if (text) headings.push({ level: heading.level, text });
          heading = null;
          return;
        }
        if (name === "pre") preDepth = Math.max(0, preDepth - 1);
        if (BLOCK.has(name)) buffer += "\n";
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  flush();
  if (sections.length === 0)
    throw new DocumentRejectedError("document has no readable text (only scripts, styles or markup)");
  const title = pageTitle || headings[0]?.text || baseTitle(path);
  const metadata = normalizeMetadata(
    Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, v.length === 1 ? v[0] : v])),
  );
  return [
    {
      id: path,
      title,
      sections: sections.map((s) => ({ ...s, text: s.text.replace(/^\| /gm, "") })),
      ...(Object.keys(metadata).length ? { metadata } : {}),
      ...(decoded.note ? { notes: [decoded.note] } : {}),
    },
  ];
}
