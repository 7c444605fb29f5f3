import { createTimeSlicer, passageText, runSliced, runToEnd } from "@genq/core";
import type { Statement } from "better-sqlite3";
import { createLiveSignals, type LiveSignals, type SignalChange, type SignalRow } from "./live-signals.ts";
import { memorySignalSteps } from "./memory-signals.ts";
import { rowPacker, type PackedRows } from "./signal-rows.ts";
import { tables } from "./sqlite-index-tables.ts";
import type { SqliteDatabase } from "./sqlite.ts";

/** How many rows are read at a time when a version's signals are built. */
const READ_PART = 256;

/** One connection's in-memory signals of index versions, kept caught up with each version's change log. */
export interface VersionSignals {
  /** The version's signals as of its latest change: built whole the first time, else the logged changes applied. */
  of(version: string, tag: string): LiveSignals;
  /**
   * Build the version's signals in time slices (`sliceMs`, default 8) unless held already; `current`
   * says whether the version still has `tag` (one dropped meanwhile gets none).
   */
  prepare(version: string, tag: string, current: () => boolean, sliceMs?: number): Promise<void>;
  /** The corpus is served by `version` now: the version it was served by before is let go. */
  served(corpus: string, version: string | null): void;
  forget(version: string): void;
  /** Let go of every version's signals. */
  release(): void;
  readonly held: number;
}

type VectorRow = { rowid: number; title: string; text: string; embedding: Buffer };

const signalRow = (r: VectorRow): SignalRow => ({
  rowid: r.rowid,
  text: passageText(r),
  vector: new Float32Array(
    r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.embedding.byteLength),
  ),
});

const vectorRows = (tag: string, where = "") =>
  `SELECT p.rowid AS rowid, p.title AS title, p.text AS text, v.embedding AS embedding FROM ${tables(tag).p} p JOIN ${tables(tag).vec} v ON v.rowid = p.rowid${where} ORDER BY p.rowid`;

/**
 * A version's signals in one connection: `sql` is the connection's statement cache. Rows are packed as
 * they are read (no array of row objects) a part at a time; a search that finds no signals builds them in
 * one transaction, `prepare` between slices of other work.
 */
export function createVersionSignals(
  db: SqliteDatabase,
  sql: (text: string) => Statement<unknown[]>,
  options: { annThreshold?: number },
): VersionSignals {
  const memory = new Map<string, { signals: LiveSignals; seq: number }>();
  /** The version each corpus was last served by. */
  const lastServed = new Map<string, string>();
  const latestChange = (version: string) =>
    (sql("SELECT coalesce(max(seq), 0) AS seq FROM index_changes WHERE version = ?").get(version) as { seq: number })
      .seq;

  /** Read the version's rows a part at a time, yielding between parts; false once `current` says it is gone. */
  function* readRows(tag: string, current: () => boolean): Generator<void, PackedRows | null> {
    const packer = rowPacker((sql(`SELECT count(*) AS n FROM ${tables(tag).p}`).get() as { n: number }).n);
    const part = sql(vectorRows(tag, " WHERE p.rowid > ?") + ` LIMIT ${READ_PART}`);
    for (let after = Number.MIN_SAFE_INTEGER; ;) {
      if (!current()) return null;
      const rows = part.all(after) as VectorRow[];
      for (const r of rows) packer.add(signalRow(r));
      if (rows.length < READ_PART) return packer.finish();
      after = rows.at(-1)!.rowid;
      yield;
    }
  }

  /** The changes logged for the version since `seq`, with the rows they added. */
  const changesSince = (version: string, tag: string, seq: number) => {
    const log = sql("SELECT seq, op, row FROM index_changes WHERE version = ? AND seq > ? ORDER BY seq").all(
      version,
      seq,
    ) as Array<{ seq: number; op: string; row: number }>;
    const added = log.filter((c) => c.op === "add").map((c) => c.row);
    const rows = new Map<number, VectorRow>();
    for (let i = 0; i < added.length; i += 500) {
      const part = added.slice(i, i + 500);
      for (const r of db
        .prepare(vectorRows(tag, ` WHERE p.rowid IN (${part.map(() => "?").join(",")})`))
        .all(...part) as VectorRow[])
        rows.set(r.rowid, r);
    }
    // An added row removed again later in the log is gone from the table: its removal follows.
    const changes = log.flatMap((c): SignalChange[] =>
      c.op === "remove"
        ? [{ op: "remove", rowid: c.row }]
        : rows.has(c.row)
          ? [{ op: "add", row: signalRow(rows.get(c.row)!) }]
          : [],
    );
    return { changes, seq: log.at(-1)?.seq ?? seq };
  };

  return {
    of(version, tag) {
      const loaded = memory.get(version);
      const latest = latestChange(version);
      if (loaded && loaded.seq === latest) return loaded.signals;
      // Reads run in one transaction, so the rows and the log position agree.
      if (loaded && !loaded.signals.rebuildDue) {
        db.transaction(() => {
          const { changes, seq } = changesSince(version, tag, loaded.seq);
          loaded.signals.apply(changes);
          loaded.seq = seq;
        })();
        return loaded.signals;
      }
      const fresh = db.transaction(() => ({
        seq: latestChange(version),
        signals: createLiveSignals(runToEnd(readRows(tag, () => true))!, { annThreshold: options.annThreshold }),
      }))();
      memory.set(version, fresh);
      return fresh.signals;
    },

    async prepare(version, tag, current, sliceMs) {
      if (memory.has(version)) return;
      const slice = createTimeSlicer(sliceMs);
      // The rows are read in parts, giving the loop back between them. Whatever is written to the version
      // meanwhile is in its change log after `seq` and is applied again on its first search (an added row
      // replaces the copy read here, a removed one is left out), so the parts need not agree.
      const seq = latestChange(version);
      const rows = await runSliced(readRows(tag, current), slice);
      if (!rows) return;
      const main = await runSliced(memorySignalSteps(rows, { annThreshold: options.annThreshold }), slice);
      // A search meanwhile built them in one piece: keep those (they are as new or newer).
      if (!memory.has(version) && current())
        memory.set(version, { signals: createLiveSignals(rows, { annThreshold: options.annThreshold }, main), seq });
    },

    served(corpus, version) {
      const left = lastServed.get(corpus);
      if (left !== undefined && left !== version) memory.delete(left);
      if (version) lastServed.set(corpus, version);
      else lastServed.delete(corpus);
    },

    forget: (version) => void memory.delete(version),

    release() {
      memory.clear();
      lastServed.clear();
    },

    get held() {
      return memory.size;
    },
  };
}
