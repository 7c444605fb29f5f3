import { useEffect, useState } from "preact/hooks";

/** The console's pages; the address lives in the URL's fragment (`#/corpora/docs`), so any server path works. */
export type Route =
  | { page: "signin" }
  | { page: "corpora" }
  | { page: "corpus"; corpus: string }
  | { page: "upload"; corpus?: string }
  | { page: "run"; run: string }
  | { page: "report"; run: string; compare?: string }
  | { page: "playground"; corpus?: string }
  | { page: "keys" }
  | { page: "notfound"; path: string };

const seg = (s: string | undefined) => (s === undefined ? undefined : decodeURIComponent(s));

/** The route a fragment names (`#/runs/r1/compare/r0`); an unknown one is `notfound`. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+|\/+$/g, "");
  const [a, b, c, d] = path.split("/").map((x) => seg(x)!);
  if (!path) return { page: "corpora" };
  if (a === "signin" && !b) return { page: "signin" };
  if (a === "corpora" && !b) return { page: "corpora" };
  if (a === "corpora" && b && !c) return { page: "corpus", corpus: b };
  if (a === "corpora" && b && c === "search" && !d) return { page: "playground", corpus: b };
  if (a === "upload") return b ? { page: "upload", corpus: b } : { page: "upload" };
  if (a === "runs" && b && !c) return { page: "run", run: b };
  if (a === "runs" && b && c === "report" && !d) return { page: "report", run: b };
  if (a === "runs" && b && c === "compare" && d) return { page: "report", run: b, compare: d };
  if (a === "search" && !b) return { page: "playground" };
  if (a === "keys" && !b) return { page: "keys" };
  return { page: "notfound", path };
}

/** The fragment of a route (the inverse of parseHash). */
export function href(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case "signin":
      return "#/signin";
    case "corpora":
      return "#/corpora";
    case "corpus":
      return `#/corpora/${e(route.corpus)}`;
    case "upload":
      return route.corpus ? `#/upload/${e(route.corpus)}` : "#/upload";
    case "run":
      return `#/runs/${e(route.run)}`;
    case "report":
      return route.compare ? `#/runs/${e(route.run)}/compare/${e(route.compare)}` : `#/runs/${e(route.run)}/report`;
    case "playground":
      return route.corpus ? `#/corpora/${e(route.corpus)}/search` : "#/search";
    case "keys":
      return "#/keys";
    case "notfound":
      return `#/${route.path}`;
  }
}

export const navigate = (route: Route) => void (location.hash = href(route));

/** The current route, following the address bar. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}
