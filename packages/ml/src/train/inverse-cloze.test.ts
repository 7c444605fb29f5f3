import { describe, expect, it } from "vitest";
import { createRng } from "../rng.ts";
import { StaticModel } from "../model/static-model.ts";
import { bucketIdf } from "../text/features.ts";
import { clozeCandidates, inverseClozePairs } from "./inverse-cloze.ts";
import { trainStaticModel } from "./trainer.ts";

const passages = [
  "Routine vacuuming. The autovacuum daemon removes dead tuples from tables. Their space is then reused by new rows in the table. Vacuum also refreshes the statistics the planner relies on.",
  "Index types. A B-tree index fits equality and range queries on sortable data. Hash indexes only handle simple equality comparisons. GIN indexes suit values that contain many component elements.",
  "Held-out passage. Zygomorphic quokkas juggle bioluminescent kumquats every equinox morning. Nobody else ever mentions these peculiar marsupial festivities anywhere.",
];

describe("inverse-cloze pairs", () => {
  it("take whole sentences of 5–40 words as queries and leave them out of the positive", () => {
    const candidates = passages.map(clozeCandidates);
    expect(candidates[0]!.map((s) => passages[0]!.slice(s.start, s.end))).not.toContain("Routine vacuuming.");
    const pairs = inverseClozePairs(passages, candidates, [0, 1], 2, createRng(3));
    expect(pairs).toHaveLength(4);
    for (const p of pairs) {
      expect(passages[p.passageIndex]).toContain(p.query);
      expect(p.rest).not.toContain(p.query);
      expect(p.query.split(/\s+/).length).toBeGreaterThanOrEqual(5);
    }
    // two draws from one passage are different sentences
    expect(new Set(pairs.filter((p) => p.passageIndex === 0).map((p) => p.query)).size).toBe(2);
  });

  it("never draw from passages without training examples, so held-out passages stay unseen by training", () => {
    const config = { bucketBits: 12, bigrams: false, maxFeatures: 0, dims: 16, seed: 5 };
    const model = StaticModel.initialise(config, bucketIdf(passages, config));
    const before = model.table.slice();
    const stats = trainStaticModel(
      model,
      passages,
      [
        { query: "dead tuples space", passageIndex: 0 },
        { query: "equality comparisons", passageIndex: 1 },
      ],
      { epochs: 2, batchSize: 4, inverseCloze: 2 },
    );
    expect(stats.inverseClozePairs).toBe(4);
    const rowOf = (word: string) => model.features(word).ids[0]!;
    const unchanged = (row: number) =>
      model.table.subarray(row * 16, row * 16 + 16).every((x, j) => x === before[row * 16 + j]);
    for (const w of ["quokkas", "kumquats", "marsupial"]) expect(unchanged(rowOf(w))).toBe(true);
    expect(unchanged(rowOf("autovacuum"))).toBe(false);
  });
});
