import { describe, expect, it } from "vitest";
import { CorruptArtifactError } from "@genq/core";
import { deserialiseModel, serialiseModel } from "../model/artifact.ts";
import { StaticModel, dot } from "../model/static-model.ts";
import { bucketIdf } from "../text/features.ts";
import { trainStaticModel, type TrainingExample } from "./trainer.ts";

/** A tiny synthetic corpus where queries use different words than their passages (synonyms). */
function tinyCorpus() {
  const topics = [
    ["car", "automobile engine wheels road driving"],
    ["doctor", "physician hospital patient medicine clinic"],
    ["money", "currency bank cash payment finance"],
    ["house", "home building rooms roof walls"],
    ["music", "melody song rhythm instruments concert"],
    ["food", "meal cooking kitchen recipe dinner"],
    ["computer", "software hardware processor memory program"],
    ["ocean", "sea waves water ship coast"],
  ];
  const passages: string[] = [];
  const examples: TrainingExample[] = [];
  const tests: Array<{ query: string; passage: number }> = [];
  topics.forEach(([q, words], t) => {
    for (let v = 0; v < 4; v++) {
      const ws = words!.split(" ");
      passages.push(`${ws[v % 5]} ${ws[(v + 1) % 5]} ${ws[(v + 2) % 5]} variant ${t * 4 + v}`);
      examples.push({ query: `${q} ${ws[(v + 3) % 5]}`, passageIndex: t * 4 + v });
    }
    tests.push({ query: q!, passage: t * 4 });
  });
  return { passages, examples, tests };
}

const config = { bucketBits: 10, bigrams: false, maxFeatures: 0, dims: 32, seed: 11 };

function recallAt4(model: StaticModel, passages: string[], tests: Array<{ query: string; passage: number }>) {
  const vecs = passages.map((p) => model.encode(p));
  let hits = 0;
  for (const t of tests) {
    const q = model.encode(t.query);
    const ranked = vecs
      .map((v, i) => [i, dot(q, v)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([i]) => Math.floor(i / 4));
    if (ranked.includes(Math.floor(t.passage / 4))) hits++;
  }
  return hits / tests.length;
}

describe("static-embedding trainer", () => {
  it("moves recall up on a tiny corpus whose queries share no words with their passages", () => {
    const { passages, examples, tests } = tinyCorpus();
    const model = StaticModel.initialise(config, bucketIdf(passages, config));
    const before = recallAt4(model, passages, tests);
    const stats = trainStaticModel(model, passages, examples, { epochs: 30, batchSize: 8, learningRate: 0.05 });
    const after = recallAt4(model, passages, tests);
    expect(before).toBeLessThan(0.5);
    expect(after).toBeGreaterThanOrEqual(0.875);
    expect(stats.lossLastEpoch).toBeLessThan(stats.lossFirstEpoch);
  });

  it("gives the same model for the same seed, and a different one for another seed", () => {
    const { passages, examples } = tinyCorpus();
    const train = (seed: number) => {
      const m = StaticModel.initialise(config, bucketIdf(passages, config));
      trainStaticModel(m, passages, examples, { epochs: 2, batchSize: 8, seed });
      return m.table;
    };
    expect(train(1)).toEqual(train(1));
    expect(train(1)).not.toEqual(train(2));
  });

  it("round-trips through its artifact and refuses a truncated or corrupted one", () => {
    const { passages } = tinyCorpus();
    const model = StaticModel.initialise(config, bucketIdf(passages, config));
    const { manifest, weights } = serialiseModel(model, {
      kind: "base",
      hyperparameters: {},
      training: null,
      createdAt: "t",
    });
    const loaded = deserialiseModel(JSON.stringify(manifest), weights).model;
    expect(loaded.encode("car engine")).toEqual(model.encode("car engine"));
    expect(() => deserialiseModel(JSON.stringify(manifest), weights.subarray(0, weights.length - 4))).toThrow(
      CorruptArtifactError,
    );
    const flipped = weights.slice();
    flipped[100]! ^= 0xff;
    expect(() => deserialiseModel(JSON.stringify(manifest), flipped)).toThrow(/checksum/);
    expect(() => deserialiseModel("{not json", weights)).toThrow(CorruptArtifactError);
  });

  it("keeps its sub-word features through its artifact, and a card written before them loads without any", () => {
    const { passages } = tinyCorpus();
    const card = (m: StaticModel) =>
      serialiseModel(m, { kind: "base", hyperparameters: {}, training: null, createdAt: "t" });
    const subworded = StaticModel.initialise(
      { ...config, subwords: 0.5, maxSubwordFeatures: 16 },
      bucketIdf(passages, { ...config, subwords: 0.5, maxSubwordFeatures: 16 }),
    );
    const saved = card(subworded);
    expect(saved.manifest.hashing).toMatchObject({ subwords: 0.5, maxSubwordFeatures: 16 });
    const loaded = deserialiseModel(JSON.stringify(saved.manifest), saved.weights).model;
    expect(loaded.encode("automobiles engines")).toEqual(subworded.encode("automobiles engines"));

    // A model stored before sub-word features has no `subwords` in its card: it must encode as it was trained.
    const plain = StaticModel.initialise(config, bucketIdf(passages, config));
    const old = card(plain);
    expect("subwords" in old.manifest.hashing).toBe(false);
    const reloaded = deserialiseModel(JSON.stringify(old.manifest), old.weights).model;
    expect(reloaded.config.subwords).toBe(0);
    expect(reloaded.encode("automobiles engines")).toEqual(plain.encode("automobiles engines"));
  });

  it("writes a model with sub-word features in a format that readers without them refuse, and still reads the first cards that carried them", () => {
    // A reader from before sub-word features accepts `genq-static-embedding/1` and drops hashing fields it
    // does not know, so it would load such a model without its trigrams and encode queries unlike the
    // index's passages; a format of its own makes it refuse the card instead.
    const { passages } = tinyCorpus();
    const options = { ...config, subwords: 0.5, maxSubwordFeatures: 16 };
    const subworded = StaticModel.initialise(options, bucketIdf(passages, options));
    const meta = { kind: "base", hyperparameters: {}, training: null, createdAt: "t" } as const;
    const saved = serialiseModel(subworded, meta);
    expect(saved.manifest.format).not.toBe("genq-static-embedding/1");
    // Models without sub-word features keep the format every reader knows.
    const plain = serialiseModel(StaticModel.initialise(config, bucketIdf(passages, config)), meta);
    expect(plain.manifest.format).toBe("genq-static-embedding/1");
    // Cards written by the first version with sub-word features said `/1`: they load with their trigrams.
    const first = { ...saved.manifest, format: "genq-static-embedding/1" };
    const loaded = deserialiseModel(JSON.stringify(first), saved.weights).model;
    expect(loaded.config.subwords).toBe(0.5);
    expect(loaded.encode("automobiles engines")).toEqual(subworded.encode("automobiles engines"));
    // A weight that switches sub-word features off is not written as one (the card would not load).
    const negative = StaticModel.initialise({ ...config, subwords: -1 }, bucketIdf(passages, config));
    const written = serialiseModel(negative, meta);
    expect(written.manifest.format).toBe("genq-static-embedding/1");
    const back = deserialiseModel(JSON.stringify(written.manifest), written.weights).model;
    expect(back.encode("automobiles engines")).toEqual(negative.encode("automobiles engines"));
  });
});

describe("hard-negative mining", () => {
  it("picks the best BM25 passage from another document", async () => {
    const { mineHardNegatives } = await import("./hard-negatives.ts");
    const passages = [
      { documentId: "a", title: "", text: "vacuum reclaims dead tuples" },
      { documentId: "a", title: "", text: "vacuum also updates statistics for dead tuples" },
      { documentId: "b", title: "", text: "autovacuum runs vacuum on dead tuples automatically" },
      { documentId: "c", title: "", text: "indexes speed up lookups" },
    ];
    const examples = [{ query: "vacuum dead tuples", passageIndex: 0 }] as Array<{
      query: string;
      passageIndex: number;
      negativeIndex?: number;
    }>;
    mineHardNegatives(examples, passages);
    expect(examples[0]!.negativeIndex).toBe(2);
  });
});
