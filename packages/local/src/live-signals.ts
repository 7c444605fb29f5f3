import type { ScoredIndex } from "@genq/core";
import { createMemorySignals, type KeepRow, type MemorySignalOptions, type MemorySignals } from "./memory-signals.ts";
import { isPacked, type PackedRows, type SignalRow } from "./signal-rows.ts";

export type { SignalRow } from "./signal-rows.ts";

/** One write to an index version, in the order it happened. */
export type SignalChange = { op: "add"; row: SignalRow } | { op: "remove"; rowid: number };

/** The signals of an index version that follow its writes, a change at a time. */
export interface LiveSignals {
  bm25(query: string, k: number, keep?: KeepRow): ScoredIndex[];
  sparse(query: string, k: number, keep?: KeepRow): ScoredIndex[];
  dense(vector: Float32Array, k: number, keep?: KeepRow): ScoredIndex[];
  /** Apply writes in order: rows added, rows removed. */
  apply(changes: readonly SignalChange[]): void;
  /** Whether so much changed since the main segment was built that building it again is due. */
  readonly rebuildDue: boolean;
}

/** Fresh rows kept beside the main segment before a rebuild is due: this many, or this share of it. */
const FRESH_ROWS = 2000;
const FRESH_SHARE = 0.2;

/**
 * Signals as Lucene keeps segments: the version's main segment (built once, at load), a small segment of
 * rows written since (rebuilt on each change, in milliseconds) and the main rows removed since (left out
 * at query time). BM25 scores both segments with the collection's statistics — document frequencies and
 * size summed over the segments (removed rows still counted until a rebuild, as Lucene counts deleted
 * documents until a merge), lengths normalised by the main segment's average — and TF-IDF weighs fresh
 * rows with the main segment's idf, so scores from the two segments compare and merge into one ranking.
 */
export function createLiveSignals(
  rows: readonly SignalRow[] | PackedRows,
  options: MemorySignalOptions = {},
  main: MemorySignals = createMemorySignals(rows, options),
): LiveSignals {
  const inMain = rowSet(isPacked(rows) ? rows.ids : Int32Array.from(rows, (r) => r.rowid));
  const removed = new Set<number>();
  const fresh = new Map<number, SignalRow>();
  let delta: MemorySignals | null = null;
  const collection = { avgLength: main.stats.avgLength, idf: main.stats.idf };

  const keepMain = (keep?: KeepRow): KeepRow | undefined =>
    removed.size ? (r) => !removed.has(r) && (!keep || keep(r)) : keep;
  const merge = (a: ScoredIndex[], b: ScoredIndex[], k: number) =>
    b.length ? [...a, ...b].sort((x, y) => y.score - x.score).slice(0, k) : a;
  const idf = (term: string) => {
    const n = main.stats.size + (delta?.stats.size ?? 0);
    const df = main.stats.documentFrequency(term) + (delta?.stats.documentFrequency(term) ?? 0);
    return df === 0 ? 0 : Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };

  return {
    bm25: (query, k, keep) =>
      delta
        ? merge(main.bm25(query, k, keepMain(keep), idf), delta.bm25(query, k, keep, idf), k)
        : main.bm25(query, k, keepMain(keep)),
    sparse: (query, k, keep) => merge(main.sparse(query, k, keepMain(keep)), delta?.sparse(query, k, keep) ?? [], k),
    dense: (vector, k, keep) => merge(main.dense(vector, k, keepMain(keep)), delta?.dense(vector, k, keep) ?? [], k),
    apply(changes) {
      for (const c of changes) {
        if (c.op === "add") {
          // A row id seen in the main segment again (a table that reuses ids): the main row is gone.
          if (inMain.has(c.row.rowid)) removed.add(c.row.rowid);
          fresh.set(c.row.rowid, c.row);
        } else if (fresh.has(c.rowid)) fresh.delete(c.rowid);
        else if (inMain.has(c.rowid)) removed.add(c.rowid);
      }
      delta = fresh.size
        ? createMemorySignals([...fresh.values()], { collection, annThreshold: Number.POSITIVE_INFINITY })
        : null;
    },
    get rebuildDue() {
      const limit = Math.max(FRESH_ROWS, FRESH_SHARE * main.stats.size);
      return fresh.size > limit || removed.size > limit;
    },
  };
}

/** Membership of the main segment's row ids: a sorted typed array searched by halves (no set of 100,000 keys). */
function rowSet(ids: Int32Array): { has(rowid: number): boolean } {
  const sorted = Int32Array.from(ids).sort();
  return {
    has(rowid) {
      let lo = 0,
        hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! < rowid) lo = mid + 1;
        else hi = mid;
      }
      return lo < sorted.length && sorted[lo] === rowid;
    },
  };
}
