import type { ParsedDocument } from "@genq/core";
import { DocumentRejectedError, normalizeMetadata } from "@genq/core";
import { decodeText, tidy } from "./decode.ts";

/**
 * BEIR corpus.jsonl: each line `{"_id"|"id", "title", "text", "metadata"?}` is one document whose id is
 * kept, so a BEIR qrels.tsv refers to it; its `metadata` object becomes the document's metadata. Any bad
 * line rejects the file, listing the offending lines.
 */
export function parseBeirCorpus(path: string, bytes: Uint8Array): ParsedDocument[] {
  const lines = decodeText(bytes).split("\n");
  const docs: ParsedDocument[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      problems.push(`line ${i + 1}: not JSON`);
      return;
    }
    const r = row as { _id?: unknown; id?: unknown; title?: unknown; text?: unknown; metadata?: unknown };
    const id = typeof r._id === "string" ? r._id : typeof r.id === "string" ? r.id : typeof r._id === "number" ? String(r._id) : null;
    if (!id) return void problems.push(`line ${i + 1}: missing "_id" or "id"`);
    if (typeof r.text !== "string" || !r.text.trim()) return void problems.push(`line ${i + 1}: missing "text"`);
    if (ids.has(id)) return void problems.push(`line ${i + 1}: duplicate id "${id}"`);
    ids.add(id);
    const title = typeof r.title === "string" ? tidy(r.title) : "";
    const metadata = normalizeMetadata(r.metadata);
    docs.push({ id, title, sections: [{ title, text: tidy(r.text) }], presegmented: true, ...(Object.keys(metadata).length ? { metadata } : {}) });
  });
  if (problems.length) {
    const shown = problems.slice(0, 5).join("; ");
    throw new DocumentRejectedError(`corpus file has ${problems.length} bad line(s): ${shown}${problems.length > 5 ? "; …" : ""}`);
  }
  if (docs.length === 0) throw new DocumentRejectedError("corpus file has no documents");
  return docs;
}
