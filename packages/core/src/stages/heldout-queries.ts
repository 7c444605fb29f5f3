import type { JudgedQuery } from "../metrics/judgments.ts";
import { fnv1a } from "../hash.ts";
import type { QueryPair } from "../ports.ts";

/** What happened to a run's held-out synthetic queries before they judged anything. */
export interface HeldoutSummary {
  /** Distinct held-out queries generated. */
  generated: number;
  /** Dropped by the cleaning rules, by reason (generic headings, boilerplate, duplicates, …). */
  dropped: Record<string, number>;
  /** Scored, after cleaning and sampling. */
  scored: number;
  /** Of those, the validation half (calibrates the hybrid weights) and the test half (decides the gate). */
  validation: number;
  test: number;
}

/**
 * Cleans held-out pairs (the runtime's rules): what is kept, and how many were dropped for which reason.
 * `population` is every query the run generated (training pairs too), so a heading the corpus repeats
 * counts as generic even when it appears once among the held-out ones.
 */
export type HeldoutCleaner = (
  pairs: QueryPair[],
  context: { population: readonly QueryPair[]; documentOf(passageId: string): string | undefined },
) =>
  | Promise<{ kept: QueryPair[]; dropped: Record<string, number> }>
  | { kept: QueryPair[]; dropped: Record<string, number> };

/** Held-out synthetic queries grouped by text: every document a query was made from is relevant. */
export function groupHeldout(pairs: readonly QueryPair[], documentOf: ReadonlyMap<string, string>): JudgedQuery[] {
  const byText = new Map<string, JudgedQuery>();
  for (const p of pairs) {
    const doc = documentOf.get(p.passageId);
    if (!doc) continue;
    let q = byText.get(p.query);
    if (!q) byText.set(p.query, (q = { id: `h${byText.size + 1}`, text: p.query, judgments: new Map() }));
    q.judgments.set(doc, 1);
  }
  return [...byText.values()];
}

/** An evenly spaced sample of at most `max` items, in order. */
export function evenSample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

/**
 * Split queries into a validation half and a test half, deterministically by their text (the same query
 * always lands on the same side), so weights are never graded on the queries they were chosen on.
 */
export function splitValidationTest<T extends { text: string }>(queries: readonly T[]): { validation: T[]; test: T[] } {
  const validation: T[] = [];
  const test: T[] = [];
  for (const q of queries) (fnv1a(`split:${q.text}`) % 2 === 0 ? validation : test).push(q);
  // Tiny sets could land on one side: keep at least one query on each side when there are two.
  if (!test.length && validation.length > 1) test.push(validation.pop()!);
  if (!validation.length && test.length > 1) validation.push(test.pop()!);
  return { validation, test };
}
