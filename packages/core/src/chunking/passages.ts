import type { Metadata, Passage } from "../domain.ts";
import { shortHash } from "../hash.ts";
import { chunkText, type ChunkOptions } from "./chunker.ts";

/** A section of a parsed document: its heading path as title and its own text. */
export interface ParsedSection {
  title: string;
  text: string;
}

/** A parsed document: one file, or one line of a BEIR corpus.jsonl (whose id is kept). */
export interface ParsedDocument {
  id: string;
  title: string;
  sections: ParsedSection[];
  /**
   * The document is already a retrieval unit (a line of a BEIR corpus, which judgments refer to): it is
   * split only when it is longer than PRESEGMENTED_CHUNKING allows.
   */
  presegmented?: boolean;
  /** What the document declares about itself (front matter, <meta>, a BEIR line's `metadata`). */
  metadata?: Metadata;
  /** What the parser wants users to know (the encoding it decoded, lines it skipped); kept on the document record. */
  notes?: string[];
}

/** Chunking for pre-segmented documents: keep them whole unless they are very long. */
export const PRESEGMENTED_CHUNKING: Partial<ChunkOptions> = { targetWords: 512, maxWords: 768 };

/**
 * Turn parsed documents into passages. Passage ids are derived from the document id and the passage
 * text, so re-ingesting an unchanged document yields the same ids, and editing one section changes
 * only the passages whose text changed. Passages carry the document's metadata (the file's over the
 * document's own) and the revision they belong to.
 */
export function toPassages(
  input: {
    corpus: string;
    sourcePath: string;
    documents: readonly ParsedDocument[];
    metadata?: Metadata;
    revision?: string;
  },
  options: Partial<ChunkOptions> = {},
): Passage[] {
  const out: Passage[] = [];
  const seen = new Set<string>();
  for (const doc of input.documents) {
    let ordinal = 0;
    const chunking = doc.presegmented ? { ...options, ...PRESEGMENTED_CHUNKING } : options;
    // What the file carries (its upload's metadata) wins over what the document says of itself.
    const metadata = { ...doc.metadata, ...input.metadata };
    const extra = {
      ...(Object.keys(metadata).length ? { metadata } : {}),
      ...(input.revision ? { revision: input.revision } : {}),
    };
    for (const section of doc.sections) {
      for (const span of chunkText(section.text, chunking)) {
        const text = section.text.slice(span.start, span.end);
        let id = shortHash(`${doc.id}\u0000${text}`);
        for (let n = 1; seen.has(id); n++) id = shortHash(`${doc.id}\u0000${text}\u0000${n}`);
        seen.add(id);
        out.push({
          id,
          corpus: input.corpus,
          documentId: doc.id,
          sourcePath: input.sourcePath,
          title: section.title || doc.title,
          text,
          ordinal: ordinal++,
          ...extra,
        });
      }
    }
  }
  return out;
}
