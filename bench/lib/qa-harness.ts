/**
 * The QA benchmark's corpus: the shipped examples run through the whole local pipeline (or a data folder
 * where that already happened), and retrieval exactly as `/qa` does it (the corpus's serving setup, top passages).
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCorpusPassages, searchCorpus, type Passage } from "@genq/core";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { createLocalDeps, type LocalDeps } from "../../packages/cli/src/local-deps.ts";
import { runPipeline } from "../../packages/cli/src/run-command.ts";
import { EXAMPLES_DIR } from "./qa-set.ts";

export const QA_CORPUS = "examples";

export interface QaCorpus {
  deps: LocalDeps;
  passages: Passage[];
  /** The top `k` passages for a question, as `/qa` retrieves them. */
  retrieve(question: string, k: number): Promise<Passage[]>;
  close(): void;
}

/**
 * Open the examples corpus in `dataDir` (GENQ_QA_DATA), running the pipeline there first when it has no
 * served index; without a folder, a fresh temporary one.
 */
export async function openQaCorpus(dataDir = process.env.GENQ_QA_DATA): Promise<QaCorpus> {
  const data = dataDir ?? mkdtempSync(join(tmpdir(), "genq-bench-qa-"));
  const fresh = !existsSync(join(data, "genq.db"));
  const deps = createLocalDeps(loadConfig({ ...process.env, GENQ_LOG_LEVEL: "silent" }, { data }));
  if (fresh || !(await deps.index.servingVersion(QA_CORPUS))) {
    const outcome = await runPipeline(deps, { docs: EXAMPLES_DIR, corpus: QA_CORPUS, quiet: true }, () => {});
    if (outcome.run.state !== "ready")
      throw new Error(`the examples run ended ${outcome.run.state}: ${outcome.run.reason}`);
  }
  await deps.index.warm(QA_CORPUS);
  const corpus = (await deps.repo.getCorpus(QA_CORPUS))!;
  const searchDeps = { repo: deps.repo, index: deps.index, encoderFor: deps.encoderFor };
  return {
    deps,
    passages: await loadCorpusPassages(deps, QA_CORPUS),
    async retrieve(question, k) {
      const hits = await searchCorpus(searchDeps, { tenant: corpus.tenant, corpus: QA_CORPUS, query: question, k });
      return hits.map((h) => h.passage);
    },
    close: () => deps.close(),
  };
}
