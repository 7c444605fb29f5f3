import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Where the debfaq collection lives (beside the project, never copied in); GENQ_DEBFAQ overrides. */
export const DEBFAQ_DIR = resolve(
  process.env.GENQ_DEBFAQ ?? join(import.meta.dirname, "../../../shared/datasets/debfaq"),
);

export interface BeirDoc {
  id: string;
  title: string;
  text: string;
}

export function loadDebfaq() {
  if (!existsSync(join(DEBFAQ_DIR, "corpus.jsonl")))
    throw new Error(`debfaq not found at ${DEBFAQ_DIR} (set GENQ_DEBFAQ)`);
  const jsonl = <T>(f: string) =>
    readFileSync(join(DEBFAQ_DIR, f), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as T);
  const corpus = jsonl<{ id?: string; _id?: string; title: string; text: string }>("corpus.jsonl").map((d) => ({
    id: d.id ?? d._id!,
    title: d.title,
    text: d.text,
  }));
  const queries = jsonl<{ id: string; text: string }>("queries.jsonl");
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(join(DEBFAQ_DIR, "qrels.tsv"), "utf8").trim().split("\n")) {
    const [q, d, r] = line.split("\t");
    if (!qrels.has(q!)) qrels.set(q!, new Map());
    qrels.get(q!)!.set(d!, Number(r));
  }
  return { corpus, queries, qrels, dir: DEBFAQ_DIR };
}
