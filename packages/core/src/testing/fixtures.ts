import type { Corpus, Run } from "../domain.ts";

/** A corpus record as a first run finds it — nothing served, no run in progress — with a test's changes. */
export const corpusRecord = (name: string, tenant: string, changes: Partial<Corpus> = {}): Corpus => ({
  name,
  tenant,
  createdAt: "2026-01-01T00:00:00Z",
  servingRunId: null,
  servingIndexVersion: null,
  servingSetup: null,
  activeRunId: null,
  version: 0,
  ...changes,
});

/** A run record of corpus "handbook" (tenant "default") in `state`, with a test's changes. */
export const runRecord = (state: Run["state"], changes: Partial<Run> = {}): Run => ({
  id: "run-1",
  corpus: "handbook",
  tenant: "default",
  state,
  reason: null,
  createdAt: "t",
  updatedAt: "t",
  artifacts: {},
  history: [],
  outcomePublished: false,
  version: 0,
  ...changes,
});
