import { describe, expect, it } from "vitest";
import { parseDocumentKey } from "./domain.ts";
import { MalformedEventError } from "./errors.ts";
import { parseEvent } from "./events.ts";
import { contentHash } from "./hash.ts";

describe("document keys", () => {
  it("reads corpus and path from a bucket key", () => {
    expect(parseDocumentKey("corpora/docs/docs/guide/intro.md")).toEqual({ corpus: "docs", path: "guide/intro.md" });
  });
  it.each([
    "corpora/docs/docs/../../etc/passwd",
    "corpora/docs/docs/a//b.txt",
    "corpora/docs/docs/./a.txt",
    "corpora/Bad_Name/docs/a.txt",
    "other/key",
  ])("refuses %s", (key) => expect(parseDocumentKey(key)).toBeNull());
});

describe("events", () => {
  it("names the broken field of a malformed event", () => {
    expect(() =>
      parseEvent({ id: "1", time: "t", corpus: "docs", type: "document.uploaded", detail: { key: 5 } }),
    ).toThrow(MalformedEventError);
    expect(() =>
      parseEvent({ id: "1", time: "t", corpus: "docs", type: "document.uploaded", detail: { key: 5 } }),
    ).toThrow(/detail.key/);
    expect(() => parseEvent({ type: "no.such.event" })).toThrow(MalformedEventError);
  });
});

describe("contentHash", () => {
  it("is stable and sensitive to every byte", () => {
    expect(contentHash("hello")).toBe(contentHash(new TextEncoder().encode("hello")));
    expect(contentHash("hello")).not.toBe(contentHash("hellp"));
    expect(contentHash("")).toMatch(/^[0-9a-f]{32}$/);
  });
});
