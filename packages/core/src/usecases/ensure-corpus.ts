import { CorpusId, CorpusName, corpusIdMatchesTenant, corpusNameOf, type Corpus } from "../domain.ts";
import { ConcurrentUpdateError, ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Clock, PipelineRepository } from "../ports.ts";

/**
 * Return the corpus with this id (see corpusIdFor), creating it for `tenant` if it does not exist. A
 * corpus owned by another tenant, or an id qualified for another tenant, is reported as not found
 * (tenants never learn of each other's corpora); one being deleted is a ConflictError.
 */
export async function ensureCorpus(
  deps: { repo: PipelineRepository; clock: Clock },
  input: { name: string; tenant: string },
): Promise<Corpus> {
  const name = CorpusId.safeParse(input.name);
  if (!name.success)
    throw new ValidationError(
      `corpus: ${CorpusName.safeParse(input.name).error?.issues[0]?.message ?? "invalid name"}`,
    );
  const notFound = () => new NotFoundError(`corpus "${corpusNameOf(name.data)}" not found`);
  if (!corpusIdMatchesTenant(name.data, input.tenant)) throw notFound();
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await deps.repo.getCorpus(name.data);
    if (existing) {
      if (existing.tenant !== input.tenant) throw notFound();
      if (existing.deletingSince) throw new ConflictError(`corpus "${corpusNameOf(name.data)}" is being deleted`);
      return existing;
    }
    try {
      return await deps.repo.putCorpus(
        {
          name: name.data,
          tenant: input.tenant,
          createdAt: deps.clock.now().toISOString(),
          servingRunId: null,
          servingIndexVersion: null,
          servingSetup: null,
          activeRunId: null,
          version: 0,
        },
        null,
      );
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  throw new ConcurrentUpdateError(`corpus "${corpusNameOf(name.data)}" is being created concurrently`);
}
