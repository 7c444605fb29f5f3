/**
 * Content hashing without platform crypto, so core runs anywhere. Two independent 64-bit FNV-1a-style
 * lanes (computed on 32-bit halves) give a 128-bit hex digest: stable across runtimes and fast. It is an
 * identity hash for content addressing, not a security primitive.
 */
export function contentHash(input: string | Uint8Array): string {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  let a = 0x811c9dc5,
    b = 0x01000193 ^ 0x5bd1e995,
    c = 0x9e3779b9,
    d = 0x85ebca6b;
  for (let i = 0; i < bytes.length; i++) {
    const x = bytes[i]!;
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x5bd1e995);
    c = Math.imul(c ^ x, 0x27d4eb2f) ^ (a >>> 15);
    d = Math.imul(d ^ x, 0x165667b1) ^ (b >>> 13);
  }
  a ^= bytes.length;
  const mix = (h: number) => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  return [mix(a ^ d), mix(b ^ c), mix(c + a), mix(d + b)].map((h) => h.toString(16).padStart(8, "0")).join("");
}

/** A short stable id (16 hex chars) for a piece of content. */
export const shortHash = (input: string | Uint8Array): string => contentHash(input).slice(0, 16);

/** FNV-1a 32-bit hash of a string (with an optional seed as the offset basis). */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Whether a passage belongs to a run's held-out slice: a stable choice per passage id and seed, the
 * same in every runtime, so held-out passages are never trained on and a later run holds out the same.
 */
export function isHeldOut(passageId: string, fraction: number, seed: number): boolean {
  return fnv1a(passageId, seed ^ 0x5bd1e995) / 4294967296 < fraction;
}
