import { keys } from "../domain.ts";
import { parseJudgments } from "../metrics/judgments.ts";
import type { BlobStore, PipelineRepository } from "../ports.ts";
import { loadCorpusPassages } from "./load-passages.ts";

/**
 * Store real queries with relevance judgments (BEIR `queries.jsonl` + `qrels.tsv`) for a corpus, after
 * checking every line against its documents (unknown ones are refused, listed). They are read by the
 * evaluation stage only — never by query generation or training.
 */
export async function storeJudgments(
  deps: { repo: PipelineRepository; blobs: BlobStore },
  input: { corpus: string; queries: string; qrels: string },
): Promise<{ queries: number }> {
  const documents = new Set((await loadCorpusPassages(deps, input.corpus)).map((p) => p.documentId));
  const judged = parseJudgments(input.queries, input.qrels, documents);
  await deps.blobs.put(`${keys.judgments(input.corpus)}queries.jsonl`, input.queries);
  await deps.blobs.put(`${keys.judgments(input.corpus)}qrels.tsv`, input.qrels);
  return { queries: judged.length };
}
