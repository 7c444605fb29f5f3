import { useEffect, useMemo, useState } from "preact/hooks";
import { apiUrl, setUnauthorizedHandler } from "./api.ts";
import { EventsContext, Main, PageTitle, type EventHub } from "./components.tsx";
import { followEvents, type StreamEvent, type StreamStatus } from "./event-stream.ts";
import { href, navigate, useRoute, type Route } from "./router.ts";
import { clearKey, getKey } from "./session.ts";
import { CorporaPage } from "./pages/corpora.tsx";
import { CorpusPage } from "./pages/corpus.tsx";
import { KeysPage } from "./pages/keys.tsx";
import { PlaygroundPage } from "./pages/playground.tsx";
import { ReportPage } from "./pages/report.tsx";
import { RunPage } from "./pages/run.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { UploadPage } from "./pages/upload.tsx";

const STATUS_TEXT: Record<StreamStatus, string> = {
  connecting: "connecting to live events…",
  live: "live events on",
  reconnecting: "reconnecting to live events…",
  unavailable: "live events unavailable: polling",
  closed: "",
};

/** One stream for the whole signed-in session, shared by every page. */
function useEventHub(signedIn: boolean): EventHub {
  const [status, setStatus] = useState<StreamStatus>("closed");
  const listeners = useMemo(() => new Set<(e: StreamEvent) => void>(), []);
  useEffect(() => {
    if (!signedIn) return;
    return followEvents({
      url: apiUrl("v1/events"),
      fetch: async (url, init) => {
        const res = await fetch(url, {
          headers: { ...init.headers, authorization: `Bearer ${getKey() ?? ""}` },
          signal: init.signal,
        });
        if (res.status === 401) throw Object.assign(new Error("unauthorized"), { status: 401 });
        return res;
      },
      onEvent: (e) => listeners.forEach((l) => l(e)),
      onStatus: (s) => setStatus(s),
    });
  }, [signedIn, listeners]);
  return useMemo(
    () => ({ status, subscribe: (l) => (listeners.add(l), () => void listeners.delete(l)) }),
    [status, listeners],
  );
}

const NAV: Array<{ label: string; route: Route; matches: Array<Route["page"]> }> = [
  { label: "Corpora", route: { page: "corpora" }, matches: ["corpora", "corpus", "run", "report"] },
  { label: "Upload", route: { page: "upload" }, matches: ["upload"] },
  { label: "Search & QA", route: { page: "playground" }, matches: ["playground"] },
  { label: "API keys", route: { page: "keys" }, matches: ["keys"] },
];

function Page({ route, onSignedIn, notice }: { route: Route; onSignedIn(): void; notice: string | null }) {
  switch (route.page) {
    case "signin":
      return <SignInPage onSignedIn={onSignedIn} notice={notice} />;
    case "corpora":
      return <CorporaPage />;
    case "corpus":
      return <CorpusPage corpus={route.corpus} />;
    case "upload":
      return <UploadPage corpus={route.corpus} />;
    case "run":
      return <RunPage runId={route.run} />;
    case "report":
      return <ReportPage runId={route.run} compare={route.compare} />;
    case "playground":
      return <PlaygroundPage corpus={route.corpus} />;
    case "keys":
      return <KeysPage />;
    case "notfound":
      return (
        <Main>
          <PageTitle>Not found</PageTitle>
          <p>
            No page at “{route.path}”. <a href={href({ page: "corpora" })}>Back to your corpora</a>.
          </p>
        </Main>
      );
  }
}

/** The console: a sign-in gate, a header with navigation, and the page the URL's fragment names. */
export function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(() => Boolean(getKey()));
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    setUnauthorizedHandler((message) => {
      setSignedIn(false);
      setNotice(message);
      navigate({ page: "signin" });
    });
  }, []);
  useEffect(() => {
    if (!signedIn && route.page !== "signin") navigate({ page: "signin" });
  }, [signedIn, route.page]);
  const hub = useEventHub(signedIn);
  const signOut = () => {
    clearKey();
    setSignedIn(false);
    setNotice("Signed out. The key was removed from this tab.");
    navigate({ page: "signin" });
  };
  const shown: Route = signedIn ? route : { page: "signin" };
  return (
    <EventsContext.Provider value={hub}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href({ page: "corpora" })}>
          genq
        </a>
        {signedIn && (
          <nav aria-label="Main">
            <ul>
              {NAV.map((n) => (
                <li key={n.label}>
                  <a href={href(n.route)} aria-current={n.matches.includes(route.page) ? "page" : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
              <li>
                <a href="docs">API reference</a>
              </li>
            </ul>
          </nav>
        )}
        {signedIn && (
          <div class="session">
            <span class="status-dot" role="status">
              {STATUS_TEXT[hub.status]}
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <Page
        route={shown}
        notice={notice}
        onSignedIn={() => (setNotice(null), setSignedIn(true), navigate({ page: "corpora" }))}
      />
    </EventsContext.Provider>
  );
}
