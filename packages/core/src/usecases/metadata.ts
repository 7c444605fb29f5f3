import type { Metadata } from "../domain.ts";
import { ValidationError } from "../errors.ts";

/** Limits on a document's metadata: keys, values per list and characters per value. */
export const METADATA_LIMITS = { maxKeys: 50, maxListValues: 100, maxValueChars: 1000 } as const;

/** Metadata keys: lower case letters, digits and `_ . : -`, 1-64 characters, starting with a letter or digit. */
export const METADATA_KEY = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;

const scalar = (v: unknown): string | null =>
  typeof v === "string"
    ? v.trim()
    : typeof v === "number" && Number.isFinite(v)
      ? String(v)
      : typeof v === "boolean"
        ? String(v)
        : v instanceof Date
          ? v.toISOString()
          : null;

/**
 * Metadata from an outside source as genq keeps it: keys in lower case, values strings or lists of
 * strings. `strict` (what a user sends through the API) refuses anything off the rules with a
 * ValidationError naming each problem; otherwise (what a document's header declares) keys are
 * normalised (spaces become `_`), nested objects are flattened one level (`a.b`), long values cut and
 * whatever still breaks the rules is dropped, so a header never rejects a document.
 */
export function normalizeMetadata(raw: unknown, options: { strict?: boolean; field?: string } = {}): Metadata {
  const field = options.field ?? "metadata";
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    if (options.strict) throw new ValidationError(`${field}: must be an object of key/value pairs`);
    return {};
  }
  const problems: string[] = [];
  const out: Metadata = {};
  const add = (rawKey: string, value: unknown, depth: number) => {
    const key = options.strict ? rawKey : rawKey.trim().toLowerCase().replace(/\s+/g, "_");
    if (!METADATA_KEY.test(key))
      return void problems.push(
        `${field}: key "${rawKey}" is not allowed (lower-case letters, digits, '_', '.', ':', '-'; up to 64)`,
      );
    if (value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) {
      if (options.strict || depth > 0)
        return void problems.push(`${field}.${key}: must be a string or a list of strings`);
      for (const [k, v] of Object.entries(value)) add(`${key}.${k}`, v, depth + 1);
      return;
    }
    const values = Array.isArray(value) ? value.map(scalar) : [scalar(value)];
    if (values.some((v) => v === null) && (options.strict || !Array.isArray(value))) {
      if (value === null || value === undefined) return;
      return void problems.push(`${field}.${key}: must be a string or a list of strings`);
    }
    let kept = values.filter((v): v is string => v !== null && v !== "");
    if (kept.some((v) => v.length > METADATA_LIMITS.maxValueChars)) {
      if (options.strict)
        return void problems.push(`${field}.${key}: values are limited to ${METADATA_LIMITS.maxValueChars} characters`);
      kept = kept.map((v) => v.slice(0, METADATA_LIMITS.maxValueChars));
    }
    if (kept.length > METADATA_LIMITS.maxListValues) {
      if (options.strict) return void problems.push(`${field}.${key}: at most ${METADATA_LIMITS.maxListValues} values`);
      kept = kept.slice(0, METADATA_LIMITS.maxListValues);
    }
    if (!kept.length) return;
    out[key] = Array.isArray(value) ? kept : kept[0]!;
  };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) add(k, v, 0);
  if (Object.keys(out).length > METADATA_LIMITS.maxKeys) {
    if (options.strict) problems.push(`${field}: at most ${METADATA_LIMITS.maxKeys} keys`);
    for (const k of Object.keys(out).slice(METADATA_LIMITS.maxKeys)) delete out[k];
  }
  if (options.strict && problems.length) throw new ValidationError(problems.join("; "));
  return out;
}

/** The `key=value` terms of metadata (one per value of a list): what indices match metadata filters on. */
export function metadataTerms(metadata: Metadata | undefined): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(metadata ?? {}))
    for (const value of Array.isArray(v) ? v : [v]) out.push(`${k}=${value}`);
  return out;
}

/** Whether metadata passes a filter: every filtered key has one of the filter's values. */
export function metadataMatches(metadata: Metadata | undefined, filter: Metadata | undefined): boolean {
  for (const [k, wanted] of Object.entries(filter ?? {})) {
    const have = metadata?.[k];
    const values = new Set(Array.isArray(have) ? have : have === undefined ? [] : [have]);
    if (!(Array.isArray(wanted) ? wanted : [wanted]).some((w) => values.has(w))) return false;
  }
  return true;
}

/** S3 keeps at most 2 KB of user metadata per object (Amazon S3 user guide, "Working with object metadata"). */
export const OBJECT_METADATA_BYTES = 2048;

/**
 * Metadata as an object's user metadata (string values only): a list becomes its JSON text. Refuses
 * metadata that would not fit an S3 object's 2 KB, on every runtime alike.
 */
export function toObjectMetadata(metadata: Metadata): Record<string, string> {
  const out = Object.fromEntries(
    Object.entries(metadata).map(([k, v]) => [k, Array.isArray(v) ? JSON.stringify(v) : v]),
  );
  const size = Object.entries(out).reduce((n, [k, v]) => n + new TextEncoder().encode(k + v).length, 0);
  if (size > OBJECT_METADATA_BYTES)
    throw new ValidationError(`metadata: ${size} bytes, an object carries at most ${OBJECT_METADATA_BYTES}`);
  return out;
}

/** An object's user metadata as genq metadata: a value holding a JSON list of strings is that list. */
export function fromObjectMetadata(raw: Record<string, string> | undefined): Metadata {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    let value: unknown = v;
    if (v.startsWith("[")) {
      try {
        const list = JSON.parse(v) as unknown;
        if (Array.isArray(list) && list.every((x) => typeof x === "string")) value = list;
      } catch {
        // Not a list: the text itself is the value.
      }
    }
    out[k] = value;
  }
  return normalizeMetadata(out);
}
