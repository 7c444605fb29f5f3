import type { ParsedDocument } from "@genq/core";
import { DocumentRejectedError, normalizeMetadata } from "@genq/core";
import { decodeDocument, tidy } from "./decode.ts";

/**
 * BEIR corpus.jsonl: each line `{"_id"|"id", "title", "text", "metadata"?}` is one document whose id is
 * kept, so a BEIR qrels.tsv refers to it; its `metadata` object becomes the document's metadata. Bad
 * lines (not JSON, no id, no text, a repeated id) are skipped and reported by line number in a note on
 * the first document; a file with no good line is rejected with the bad lines listed.
 */
export function parseBeirCorpus(path: string, bytes: Uint8Array): ParsedDocument[] {
  const decoded = decodeDocument(bytes);
  const lines = decoded.text.split("\n");
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
    const id =
      typeof r._id === "string"
        ? r._id
        : typeof r.id === "string"
          ? r.id
          : typeof r._id === "number"
            ? String(r._id)
            : null;
    if (!id) return void problems.push(`line ${i + 1}: missing "_id" or "id"`);
    if (typeof r.text !== "string" || !r.text.trim()) return void problems.push(`line ${i + 1}: missing "text"`);
    if (ids.has(id)) return void problems.push(`line ${i + 1}: duplicate id "${id}"`);
    ids.add(id);
    const title = typeof r.title === "string" ? tidy(r.title) : "";
    const metadata = normalizeMetadata(r.metadata);
    docs.push({
      id,
      title,
      sections: [{ title, text: tidy(r.text) }],
      presegmented: true,
      ...(Object.keys(metadata).length ? { metadata } : {}),
    });
  });
  const shown = `${problems.slice(0, 10).join("; ")}${problems.length > 10 ? `; … (${problems.length - 10} more)` : ""}`;
  if (docs.length === 0)
    throw new DocumentRejectedError(
      problems.length
        ? `corpus file has no good line; ${problems.length} bad line(s): ${shown}`
        : "corpus file has no documents",
    );
  const notes = [
    ...(decoded.note ? [decoded.note] : []),
    ...(problems.length ? [`${problems.length} bad line(s) skipped: ${shown}`] : []),
  ];
  if (notes.length) docs[0]!.notes = notes;
  return docs;
}
