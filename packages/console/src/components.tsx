import type { ComponentChildren } from "preact";
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import { messageOf } from "./api.ts";
import type { StreamEvent, StreamStatus } from "./event-stream.ts";
import type { Piece } from "./text-spans.ts";

/** The app's one event stream: pages subscribe to its events and read whether it is live. */
export interface EventHub {
  status: StreamStatus;
  subscribe(listener: (e: StreamEvent) => void): () => void;
}
export const EventsContext = createContext<EventHub>({ status: "closed", subscribe: () => () => {} });
export const useEvents = () => useContext(EventsContext);

/** Events of the stream as they come (the listener may change between renders). */
export function useEventListener(listener: (e: StreamEvent) => void): StreamStatus {
  const hub = useEvents();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => hub.subscribe((e) => ref.current(e)), [hub]);
  return hub.status;
}

/** Load data for a page: the value, the error message, and a reload. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: string | null; loading: boolean; reload(): void } {
  const [state, setState] = useState<{ data: T | undefined; error: string | null; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error: messageOf(error), loading: false })),
    );
    return () => void (live = false);
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A page's main landmark (the skip link's target). */
export const Main = ({ children }: { children: ComponentChildren }) => (
  <main id="main" class="page" tabIndex={-1}>
    {children}
  </main>
);

/** The page title, focused on arrival so screen readers announce the new page. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

export function Notice({
  kind = "info",
  children,
}: {
  kind?: "info" | "error" | "ok" | "warn";
  children: ComponentChildren;
}) {
  return (
    <div class={`notice ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export const StateBadge = ({ state }: { state: string }) => (
  <span class={`badge ${["ready", "failed", "rejected"].includes(state) ? state : "active"}`}>{state}</span>
);

/** Text pieces with their marks (search highlights, answer spans) as real elements, never as HTML. */
export const Marked = ({ pieces }: { pieces: Piece[] }) => (
  <>
    {pieces.map((p, i) =>
      p.mark ? (
        <mark key={i} class={p.cls}>
          {p.text}
        </mark>
      ) : (
        p.text
      ),
    )}
  </>
);

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "—");

export const bytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 1024 / 1024).toFixed(1)} MB`;

export function seconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
