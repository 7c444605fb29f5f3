import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxScoreTopK, type QueryList } from "./max-score.ts";
import { Postings, postingLists } from "./postings.ts";

/**
 * MaxScore itself, never giving up for the exhaustive scorer (`top` may, on long postings): the docs'
 * postings laid out as `Postings` lays them out, float32 weights.
 */
const maxScoreAlone = (
  docs: Array<Array<[number, number]>>,
  q: Array<[number, number]>,
  k: number,
  keep?: (p: number) => boolean,
) => {
  const byKey = new Map<number, Array<[number, number]>>();
  docs.forEach((d, pos) => {
    for (const [key, w] of new Map(d)) byKey.set(key, [...(byKey.get(key) ?? []), [pos, w]]);
  });
  const positions: number[] = [];
  const weights: number[] = [];
  const lists: QueryList[] = [];
  for (const [key, weight] of q) {
    const l = byKey.get(key);
    if (!l) continue;
    const start = positions.length;
    for (const [pos, w] of l) {
      positions.push(pos);
      weights.push(w);
    }
    const frozen = Float32Array.from(weights.slice(start));
    lists.push({ weight, start, end: positions.length, max: Math.max(...frozen) });
  }
  return maxScoreTopK(Int32Array.from(positions), Float32Array.from(weights), lists, k, keep);
};

/** Postings over `docs` (each a list of [key, weight]) in position order. */
const build = (docs: Array<Array<[number, number]>>) => {
  const lists = postingLists<number>();
  docs.forEach((d, pos) => {
    for (const [key, w] of new Map(d)) lists.add(pos, key, w);
  });
  return new Postings(lists.lists, docs.length);
};

describe("Postings.top (MaxScore)", () => {
  it("finds the best positions without scoring every one, ties to the lower position", () => {
    const p = build([
      [[1, 0.5]],
      [
        [1, 0.5],
        [2, 1],
      ],
      [[2, 1]],
      [
        [1, 0.5],
        [2, 1],
      ],
      [[3, 2]],
    ]);
    expect(
      p.top(
        [
          [1, 1],
          [2, 1],
        ],
        2,
      ),
    ).toEqual([
      { index: 1, score: 1.5 },
      { index: 3, score: 1.5 },
    ]);
    expect(p.top([[9, 1]], 3)).toEqual([]);
  });

  it("returns exactly the exhaustive scorer's list, scores and ties included, with and without a filter", () => {
    const weight = fc.constantFrom(0.25, 0.5, 1, 1.5, 0.1, 0.3333, 2.75, 0.7, 0);
    const doc = fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), weight), { maxLength: 6 });
    const query = fc.uniqueArray(
      fc.tuple(fc.integer({ min: 0, max: 14 }), fc.double({ min: 0.01, max: 5, noNaN: true })),
      { selector: (q) => q[0], minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(
        fc.array(doc, { minLength: 1, maxLength: 120 }),
        query,
        fc.integer({ min: 1, max: 20 }),
        fc.boolean(),
        (docs, q, k, filtered) => {
          const p = build(docs);
          const keep = filtered ? (pos: number) => pos % 3 !== 1 : undefined;
          expect(p.top(q, k, keep)).toEqual(p.score(q, k, keep));
          expect(maxScoreAlone(docs, q, k, keep)).toEqual(p.score(q, k, keep));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
