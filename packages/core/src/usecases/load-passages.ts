import { Passage, revisionOf } from "../domain.ts";
import { CorruptArtifactError } from "../errors.ts";
import type { BlobStore, PipelineRepository } from "../ports.ts";

/** Read JSON lines from a blob (empty lines skipped). */
export async function readJsonLines<T>(blobs: BlobStore, key: string): Promise<T[]> {
  const text = new TextDecoder().decode(await blobs.get(key));
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** Serialise rows as JSON lines. */
export const toJsonLines = (rows: readonly unknown[]): string =>
  rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : "");

/**
 * Every passage of a corpus, in a stable order (by document path, then passage ordinal): the input of
 * query generation, training and indexing. Each carries the revision it belongs to (its passages
 * object's name), which is what an index records of a document.
 */
export async function loadCorpusPassages(
  deps: { repo: PipelineRepository; blobs: BlobStore },
  corpus: string,
): Promise<Passage[]> {
  const docs = (await deps.repo.listDocuments(corpus))
    .filter((d) => d.passagesKey)
    .sort((a, b) => a.path.localeCompare(b.path));
  const out: Passage[] = [];
  for (const d of docs) {
    const rows = await readJsonLines<unknown>(deps.blobs, d.passagesKey!);
    for (const row of rows) {
      const parsed = Passage.safeParse(row);
      if (!parsed.success) throw new CorruptArtifactError(`passages of ${d.path} are damaged (${d.passagesKey})`);
      out.push({ ...parsed.data, revision: parsed.data.revision ?? revisionOf(d.passagesKey!) });
    }
  }
  return out;
}

/** The text a model sees for a passage: its title, then its text. */
export const passageText = (p: Pick<Passage, "title" | "text">): string => (p.title ? `${p.title}\n${p.text}` : p.text);
