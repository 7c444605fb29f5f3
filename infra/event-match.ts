/**
 * EventBridge's content filtering, for checking deployed rule patterns against real event payloads
 * offline. Semantics follow the AWS reference implementation (aws/event-ruler, README "Matching" and
 * "Or relationship") and the EventBridge user guide ("Comparison operators for use in event patterns",
 * eb-create-pattern-operators.html): every field of the pattern must match (AND); a field's array lists
 * alternatives (OR); `$or` takes alternative sub-patterns; an array in the event matches when any
 * element does; a field missing from the event matches only `{"exists": false}`.
 * Supported: exact strings, numbers, booleans and null, prefix, suffix, equals-ignore-case, wildcard,
 * anything-but (value, list, prefix, suffix, wildcard), exists, numeric. Anything else is an error.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new Error("an event pattern is a JSON object");
  return Object.entries(pattern).every(([field, spec]) => {
    if (field === "$or") {
      if (!Array.isArray(spec) || spec.length < 2) throw new Error("$or takes an array of at least two patterns");
      return spec.some((alternative) => matchesPattern(alternative, event));
    }
    const value = isObject(event) ? event[field] : undefined;
    if (Array.isArray(spec)) return matchesLeaf(spec, value);
    if (isObject(spec)) {
      const objects = (Array.isArray(value) ? value : [value]).filter(isObject);
      return objects.length > 0 ? objects.some((o) => matchesPattern(spec, o)) : matchesPattern(spec, {});
    }
    throw new Error(`pattern field "${field}" must be an array of matchers or an object`);
  });
}

function matchesLeaf(matchers: unknown[], value: unknown): boolean {
  if (matchers.length === 0) throw new Error("an empty array of matchers matches nothing");
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return matchers.some((m) => {
    if (isObject(m) && "exists" in m) return m.exists === (value !== undefined);
    return values.some((v) => matchesOne(m, v));
  });
}

function matchesOne(m: unknown, v: unknown): boolean {
  if (!isObject(m)) return typeof m === "number" && typeof v === "number" ? m === v : m === v;
  const [op, arg] = onlyEntry(m);
  switch (op) {
    case "prefix":
      return (
        typeof v === "string" &&
        (isObject(arg)
          ? v.toLowerCase().startsWith(String(arg["equals-ignore-case"]).toLowerCase())
          : v.startsWith(String(arg)))
      );
    case "suffix":
      return (
        typeof v === "string" &&
        (isObject(arg)
          ? v.toLowerCase().endsWith(String(arg["equals-ignore-case"]).toLowerCase())
          : v.endsWith(String(arg)))
      );
    case "equals-ignore-case":
      return typeof v === "string" && v.toLowerCase() === String(arg).toLowerCase();
    case "wildcard":
      return typeof v === "string" && wildcard(String(arg)).test(v);
    case "anything-but":
      if (Array.isArray(arg)) return !arg.some((a) => a === v);
      if (isObject(arg)) return !matchesOne(arg, v);
      return v !== arg;
    case "numeric":
      return typeof v === "number" && numeric(arg as unknown[], v);
    default:
      throw new Error(`unsupported pattern operator "${op}"`);
  }
}

function wildcard(pattern: string): RegExp {
  if (/(^|[^\\])\*\*/.test(pattern))
    throw new Error(`wildcard "${pattern}" has consecutive wildcard characters, which EventBridge rejects`);
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && (pattern[i + 1] === "*" || pattern[i + 1] === "\\")) source += escape(pattern[++i]!);
    else source += c === "*" ? "[\\s\\S]*" : escape(c);
  }
  return new RegExp(`^${source}$`);
}

function numeric(conditions: unknown[], v: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      op === "="
        ? v === bound
        : op === "<"
          ? v < bound
          : op === "<="
            ? v <= bound
            : op === ">"
              ? v > bound
              : op === ">="
                ? v >= bound
                : null;
    if (ok === null) throw new Error(`unsupported numeric operator "${String(op)}"`);
    if (!ok) return false;
  }
  return true;
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
function onlyEntry(m: Record<string, unknown>): [string, unknown] {
  const entries = Object.entries(m);
  if (entries.length !== 1) throw new Error(`a matcher has exactly one operator, got ${JSON.stringify(m)}`);
  return entries[0]!;
}
