import { ValidationError } from "../errors.ts";
import type { Page, PageRequest } from "../ports.ts";

/** The largest page any list returns. */
export const MAX_PAGE = 1000;

const toBase64Url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const fromBase64Url = (text: string) =>
  new TextDecoder().decode(Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));

/** An opaque cursor for a position in a list (what adapters hand out as `next`). */
export const encodeCursor = (position: unknown): string => toBase64Url(JSON.stringify(position));

/** The position a cursor names; a cursor no list gave out is a ValidationError naming the field. */
export function decodeCursor<T>(cursor: string, valid: (position: unknown) => position is T): T {
  let position: unknown;
  try {
    position = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw new ValidationError("cursor: not a cursor this list gave out");
  }
  if (!valid(position)) throw new ValidationError("cursor: not a cursor this list gave out");
  return position;
}

/** A page limit within bounds, or a ValidationError. */
export function pageLimit(request: PageRequest): number {
  if (!Number.isInteger(request.limit) || request.limit < 1 || request.limit > MAX_PAGE)
    throw new ValidationError(`limit: must be an integer from 1 to ${MAX_PAGE}`);
  return request.limit;
}

/** Page through items already in list order, by a string key that increases (or, `descending`, decreases) along the list. */
export function pageByKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  request: PageRequest,
  descending = false,
): Page<T> {
  const limit = pageLimit(request);
  const after =
    request.cursor === undefined
      ? null
      : decodeCursor(
          request.cursor,
          (p): p is { after: string } => typeof (p as { after?: unknown })?.after === "string",
        ).after;
  const rest = after === null ? items : items.filter((i) => (descending ? keyOf(i) < after : keyOf(i) > after));
  const page = rest.slice(0, limit);
  return {
    items: [...page],
    next: rest.length > limit ? encodeCursor({ after: keyOf(page[page.length - 1]!) }) : null,
  };
}
