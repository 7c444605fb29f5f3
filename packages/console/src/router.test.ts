import { describe, expect, it } from "vitest";
import { href, parseHash, type Route } from "./router.ts";

describe("console routes", () => {
  it("round-trips every page through the URL fragment, names with odd characters included", () => {
    const routes: Route[] = [
      { page: "signin" },
      { page: "corpora" },
      { page: "corpus", corpus: "docs" },
      { page: "upload" },
      { page: "upload", corpus: "docs" },
      { page: "run", run: "run-1" },
      { page: "report", run: "run-1" },
      { page: "report", run: "run-2", compare: "run-1" },
      { page: "playground" },
      { page: "playground", corpus: "a b/c" },
      { page: "keys" },
    ];
    for (const r of routes) expect(parseHash(href(r))).toEqual(r);
  });

  it("opens on the corpora and says when a fragment names no page", () => {
    expect(parseHash("")).toEqual({ page: "corpora" });
    expect(parseHash("#/")).toEqual({ page: "corpora" });
    expect(parseHash("#/runs")).toEqual({ page: "notfound", path: "runs" });
    expect(parseHash("#/corpora/x/y/z")).toEqual({ page: "notfound", path: "corpora/x/y/z" });
  });
});
