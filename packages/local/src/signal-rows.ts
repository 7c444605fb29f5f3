/** A row as the signals see it: its id, the text ranked (title + text) and its vector. */
export interface SignalRow {
  rowid: number;
  text: string;
  vector?: Float32Array;
}

/**
 * Rows held compactly for building signals: ids and vectors in one typed array each, texts as UTF-8 in
 * one buffer, decoded one at a time when a build pass reads them. Building from these rather than from
 * an array of rows keeps a version's texts out of the garbage-collected heap: 100,000 rows as objects
 * cost about 500 MB of RSS that a process rarely gives back once its heap has grown to hold them.
 */
export interface PackedRows {
  readonly size: number;
  /** The vectors' length; 0 when no row has one. */
  readonly dims: number;
  readonly ids: Int32Array;
  /** Row `pos`'s vector at [pos × dims, (pos + 1) × dims); zeros for a row without one. */
  readonly vectors: Float32Array;
  text(pos: number): string;
}

/** Whether the rows are packed already. */
export const isPacked = (rows: readonly SignalRow[] | PackedRows): rows is PackedRows => "ids" in rows;

/**
 * Packs rows as they come (e.g. from a statement's iterator, so no row outlives its turn). `expected`:
 * how many rows to make room for at first (the arrays grow past it when more come).
 */
export function packRows(rows: Iterable<SignalRow>, expected = 1024): PackedRows {
  const packer = rowPacker(expected);
  for (const row of rows) packer.add(row);
  return packer.finish();
}

/** `packRows` a row at a time: rows can come in parts, with other work between them. */
export function rowPacker(expected = 1024): { add(row: SignalRow): void; finish(): PackedRows } {
  let capacity = Math.max(16, expected);
  let ids = new Int32Array(capacity);
  let offsets = new Float64Array(capacity + 1);
  let bytes = Buffer.allocUnsafeSlow(capacity * 1024);
  let vectors = new Float32Array(0);
  let dims = 0;
  let size = 0;
  let used = 0;
  return {
    add(row) {
      if (row.vector && !dims) {
        dims = row.vector.length;
        vectors = new Float32Array(capacity * dims);
      }
      if (size === capacity) {
        capacity *= 2;
        ids = grow(ids, new Int32Array(capacity));
        offsets = grow(offsets, new Float64Array(capacity + 1));
        if (dims) vectors = grow(vectors, new Float32Array(capacity * dims));
      }
      const length = Buffer.byteLength(row.text);
      if (used + length > bytes.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(bytes.length * 2, used + length));
        bytes.copy(bigger, 0, 0, used);
        bytes = bigger;
      }
      used += bytes.write(row.text, used);
      ids[size] = row.rowid;
      if (row.vector) {
        if (row.vector.length !== dims)
          throw new Error(`row ${row.rowid} has a vector of ${row.vector.length} dimensions, not ${dims}`);
        vectors.set(row.vector, size * dims);
      }
      offsets[++size] = used;
    },
    finish() {
      // Rows read before the first vector (and any without one) have zeros, as their scan scores them.
      if (dims && vectors.length > size * dims) vectors = vectors.slice(0, size * dims);
      const texts = bytes;
      const ends = offsets;
      return {
        size,
        dims,
        ids: ids.slice(0, size),
        vectors,
        text: (pos) => texts.toString("utf8", ends[pos]!, ends[pos + 1]!),
      };
    },
  };
}

function grow<T extends Int32Array | Float32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
