import { OpenSearchError, illegalArgument, parsing } from "./opensearch-errors.ts";
import type { createEvaluator } from "./opensearch-query.ts";

type Json = Record<string, unknown>;

/** A stored search pipeline and, when it has one, its normalization processor's settings. */
export interface Pipeline {
  definition: Json;
  normalization?: { technique: string; combination: string; weights: number[] };
}

// neural-search ScoreNormalizationFactory / ScoreCombinationFactory: the techniques it knows, and which
// combinations go with which normalization (min_max and l2 take the three means; z_score arithmetic only).
const NORMALIZATION = new Map([
  ["min_max", ["arithmetic_mean", "geometric_mean", "harmonic_mean"]],
  ["l2", ["arithmetic_mean", "geometric_mean", "harmonic_mean"]],
  ["z_score", ["arithmetic_mean"]],
]);
const PROCESSOR_KINDS = ["request_processors", "response_processors", "phase_results_processors"];

/**
 * Validate a pipeline definition as neural-search's NormalizationProcessorFactory does when it is put:
 * known techniques, compatible combination, only `weights` as a parameter, every weight in [0, 1] and
 * their sum 1 within 0.01 (ScoreCombinationUtil.validateWeights). Other processor types are kept as given.
 */
export function validatePipeline(definition: Json): Pipeline {
  if (!PROCESSOR_KINDS.some((k) => Array.isArray(definition[k])))
    throw parsing("a search pipeline needs request_processors, response_processors or phase_results_processors");
  const pipeline: Pipeline = { definition };
  for (const processor of (definition.phase_results_processors ?? []) as Json[]) {
    const config = processor["normalization-processor"] as Json | undefined;
    if (!config) throw illegalArgument(`Invalid processor type [${Object.keys(processor)[0]}]`);
    const technique = String((config.normalization as Json | undefined)?.technique ?? "min_max");
    const combination = (config.combination ?? {}) as Json;
    const combine = String(combination.technique ?? "arithmetic_mean");
    if (!NORMALIZATION.has(technique)) throw illegalArgument("provided normalization technique is not supported");
    if (!["arithmetic_mean", "geometric_mean", "harmonic_mean"].includes(combine))
      throw illegalArgument("provided combination technique is not supported");
    if (!NORMALIZATION.get(technique)!.includes(combine))
      throw illegalArgument(
        `provided combination technique ${combine} is not supported for normalization technique ${technique}. Supported techniques are: ${NORMALIZATION.get(technique)!.join(", ")}`,
      );
    const params = (combination.parameters ?? {}) as Json;
    if (Object.keys(params).some((k) => k !== "weights"))
      throw illegalArgument(
        "provided parameter for combination technique is not supported. supported parameters are [weights]",
      );
    const weights = (params.weights ?? []) as unknown;
    if (!Array.isArray(weights) || !weights.every((w) => typeof w === "number"))
      throw illegalArgument("parameter [weights] must be a collection of numbers");
    if (weights.some((w) => w < 0 || w > 1))
      throw illegalArgument(`all weights must be in range [0.0 ... 1.0], submitted weights: [${weights.join(", ")}]`);
    const sum = weights.reduce((a, b) => a + b, 0);
    if (weights.length && Math.abs(sum - 1) > 0.01)
      throw illegalArgument(
        `sum of weights for combination must be equal to 1.0, submitted weights: [${weights.join(", ")}]`,
      );
    pipeline.normalization = { technique, combination: combine, weights };
  }
  return pipeline;
}

/**
 * A hybrid query through a normalization pipeline: each sub-query's top `size` hits, min-max normalised
 * per sub-query (a lone score becomes 1.0, the minimum 0.001: MinMaxScoreNormalizationTechnique), then a
 * weighted arithmetic mean in which a document a sub-query did not return counts 0
 * (ArithmeticMeanScoreCombinationTechnique). At most 5 sub-queries (HybridQueryBuilder
 * MAX_NUMBER_OF_SUB_QUERIES); weights must match the sub-queries in number. Without a normalization
 * processor the raw scores are not comparable; the stand-in then ranks by the best raw score.
 */
export function hybridSearch(
  evaluator: ReturnType<typeof createEvaluator>,
  hybrid: Json,
  size: number,
  pipeline: Pipeline | undefined,
): Map<string, number> {
  const queries = hybrid.queries;
  if (!Array.isArray(queries) || !queries.length)
    throw parsing("[hybrid] requires 'queries' field with at least one clause");
  if (queries.length > 5) throw parsing("Number of sub-queries exceeds maximum supported by [hybrid] query");
  const results = queries.map((q) => [...evaluator.evaluate(q as Json)].sort((a, b) => b[1] - a[1]).slice(0, size));
  const norm = pipeline?.normalization;
  const combined = new Map<string, number>();
  if (!norm) {
    for (const r of results) for (const [id, s] of r) combined.set(id, Math.max(combined.get(id) ?? 0, s));
    return combined;
  }
  if (norm.weights.length && norm.weights.length !== queries.length) {
    throw new OpenSearchError(
      400,
      "illegal_argument_exception",
      `number of weights [${norm.weights.length}] must match number of sub-queries [${queries.length}] in hybrid query`,
    );
  }
  if (norm.technique !== "min_max" || norm.combination !== "arithmetic_mean")
    throw illegalArgument(
      `the stand-in combines min_max with arithmetic_mean only, not ${norm.technique} with ${norm.combination}`,
    );
  const normalised = results.map((r) => {
    const scores = r.map(([, s]) => s);
    const min = Math.min(...scores);
    const max = Math.max(...scores);
    return new Map(r.map(([id, s]) => [id, max === min ? 1 : (s - min) / (max - min) || 0.001]));
  });
  const ids = new Set(normalised.flatMap((m) => [...m.keys()]));
  const weight = (i: number) => norm.weights[i] ?? 1;
  const total = queries.reduce((t: number, _q, i) => t + weight(i), 0);
  for (const id of ids) combined.set(id, normalised.reduce((t, m, i) => t + weight(i) * (m.get(id) ?? 0), 0) / total);
  return combined;
}
