/** A piece of text, marked or not. */
export interface Piece {
  text: string;
  mark: boolean;
  cls?: string;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

/**
 * A search highlight (`…text <mark>term</mark> text…`, HTML-escaped) as text pieces. Only `<mark>` is
 * understood; anything else stays text, so the page never renders server markup as HTML.
 */
export function highlightPieces(html: string): Piece[] {
  const out: Piece[] = [];
  const parts = html.split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const p of parts) {
    if (p === "<mark>") marked = true;
    else if (p === "</mark>") marked = false;
    else if (p) out.push({ text: unescape(p), mark: marked });
  }
  return out;
}

/** Text with character ranges marked (an answer span, a cited quote); overlapping ranges merge. */
export function spanPieces(text: string, spans: ReadonlyArray<{ start: number; end: number; cls?: string }>): Piece[] {
  const sorted = spans
    .map((s) => ({
      ...s,
      start: Math.max(0, Math.min(text.length, s.start)),
      end: Math.max(0, Math.min(text.length, s.end)),
    }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const out: Piece[] = [];
  let at = 0;
  for (const s of sorted) {
    const start = Math.max(at, s.start);
    if (s.end <= start) continue;
    if (start > at) out.push({ text: text.slice(at, start), mark: false });
    out.push({ text: text.slice(start, s.end), mark: true, ...(s.cls ? { cls: s.cls } : {}) });
    at = s.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), mark: false });
  return out;
}
