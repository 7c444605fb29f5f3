import { z } from "zod";
import { keys } from "../domain.ts";
import { CorruptArtifactError } from "../errors.ts";
import { eventIds } from "../pipeline/names.ts";
import type { BlobStore, EventPublisher } from "../ports.ts";

/** What a finished query-generation job produced: where its pairs and held-out queries are, and how many. */
export const GeneratedQueries = z.object({
  pairsKey: z.string().min(1),
  heldoutKey: z.string().min(1),
  pairs: z.number().int().nonnegative(),
  heldout: z.number().int().nonnegative(),
});
export type GeneratedQueries = z.infer<typeof GeneratedQueries>;

/**
 * Finish a run's query generation (both runtimes' generators end here): record the summary — written
 * after the pairs and held-out queries, so its presence marks them complete — and announce
 * `queries.generated`. A job that produced no training pairs is an error (the stage fails with it).
 */
export async function completeQueryGeneration(
  deps: { blobs: BlobStore; events: EventPublisher },
  input: { corpus: string; runId: string } & GeneratedQueries,
): Promise<void> {
  if (input.pairs === 0) throw new CorruptArtifactError("query generation produced no training pairs");
  const summary: GeneratedQueries = {
    pairsKey: input.pairsKey,
    heldoutKey: input.heldoutKey,
    pairs: input.pairs,
    heldout: input.heldout,
  };
  await deps.blobs.put(keys.queriesSummary(input.corpus, input.runId), JSON.stringify(summary));
  await announceQueries(deps, input.corpus, input.runId, summary);
}

/** The summary of a run's finished query generation, or null when it has not finished. */
export async function readGeneratedQueries(
  blobs: BlobStore,
  corpus: string,
  runId: string,
): Promise<GeneratedQueries | null> {
  const key = keys.queriesSummary(corpus, runId);
  if (!(await blobs.head(key))) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(await blobs.get(key)));
  } catch (error) {
    throw new CorruptArtifactError(`query generation summary ${key} is not JSON`, { cause: error });
  }
  const parsed = GeneratedQueries.safeParse(raw);
  if (!parsed.success) throw new CorruptArtifactError(`query generation summary ${key} is damaged`);
  return parsed.data;
}

export async function announceQueries(
  deps: { events: EventPublisher },
  corpus: string,
  runId: string,
  q: GeneratedQueries,
): Promise<void> {
  await deps.events.publish([
    {
      id: eventIds.queriesGenerated(runId),
      type: "queries.generated",
      corpus,
      detail: { runId, pairsKey: q.pairsKey, heldoutKey: q.heldoutKey, pairs: q.pairs },
    },
  ]);
}
