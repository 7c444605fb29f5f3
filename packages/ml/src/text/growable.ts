/**
 * An Int32Array that grows as values are pushed (doubling), for building large lists without a JS array
 * of numbers (which costs twice the bytes and lives on the garbage-collected heap). `view()` is the part
 * filled so far.
 */
export function growableInt32(initial = 1024): {
  push(value: number): void;
  get(index: number): number;
  set(index: number, value: number): void;
  readonly length: number;
  view(): Int32Array;
} {
  let data = new Int32Array(Math.max(16, initial));
  let length = 0;
  return {
    push(value) {
      if (length === data.length) {
        const bigger = new Int32Array(data.length * 2);
        bigger.set(data);
        data = bigger;
      }
      data[length++] = value;
    },
    get: (index) => data[index]!,
    set(index, value) {
      data[index] = value;
    },
    get length() {
      return length;
    },
    view: () => data.subarray(0, length),
  };
}
