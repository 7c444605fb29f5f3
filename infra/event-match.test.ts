import { describe, expect, it } from "vitest";
import { matchesPattern } from "./event-match.ts";

// The cases mirror aws/event-ruler's README ("Matching", "Wildcard matching", "Anything-but",
// "Exists matching", "$or") and the EventBridge user guide's comparison operators
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
describe("EventBridge pattern matching", () => {
  const event = {
    source: "aws.s3",
    "detail-type": "Object Created",
    detail: { bucket: { name: "b" }, object: { key: "corpora/c/docs/a/b.md", size: 5 }, tags: ["x", "y"] },
  };

  it("ANDs fields, ORs the values listed for a field, and recurses into objects", () => {
    expect(matchesPattern({ source: ["aws.s3"], "detail-type": ["Object Deleted", "Object Created"] }, event)).toBe(
      true,
    );
    expect(matchesPattern({ source: ["aws.s3"], "detail-type": ["Object Deleted"] }, event)).toBe(false);
    expect(matchesPattern({ detail: { bucket: { name: ["b"] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { bucket: { name: ["other"] } } }, event)).toBe(false);
  });

  it("matches an array in the event when any element matches", () => {
    expect(matchesPattern({ detail: { tags: ["y"] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { tags: ["z"] } }, event)).toBe(false);
  });

  it("anchors wildcards at both ends and lets * span slashes", () => {
    expect(matchesPattern({ detail: { object: { key: [{ wildcard: "corpora/*/docs/*" }] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { object: { key: [{ wildcard: "docs/*" }] } } }, event)).toBe(false);
    expect(matchesPattern({ k: [{ wildcard: "a\\*b" }] }, { k: "a*b" })).toBe(true);
    expect(matchesPattern({ k: [{ wildcard: "a\\*b" }] }, { k: "aXb" })).toBe(false);
    expect(() => matchesPattern({ k: [{ wildcard: "a**b" }] }, { k: "ab" })).toThrow(/consecutive/);
  });

  it("supports prefix, suffix, anything-but, numeric and exists", () => {
    expect(matchesPattern({ detail: { object: { key: [{ prefix: "corpora/" }] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { object: { key: [{ suffix: ".md" }] } } }, event)).toBe(true);
    expect(matchesPattern({ source: [{ "anything-but": ["aws.s3", "aws.ec2"] }] }, event)).toBe(false);
    expect(matchesPattern({ source: [{ "anything-but": { prefix: "genq" } }] }, event)).toBe(true);
    expect(matchesPattern({ detail: { object: { size: [{ numeric: [">", 0, "<=", 5] }] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { "deletion-type": [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { "deletion-type": [{ exists: true }] } }, event)).toBe(false);
    // A field the event lacks matches nothing but exists:false, not even anything-but.
    expect(matchesPattern({ detail: { missing: [{ "anything-but": "x" }] } }, event)).toBe(false);
  });

  it("takes $or alternatives, ANDed with the fields beside it", () => {
    const p = { source: ["aws.s3"], $or: [{ detail: { tags: ["nope"] } }, { detail: { bucket: { name: ["b"] } } }] };
    expect(matchesPattern(p, event)).toBe(true);
    expect(matchesPattern({ ...p, source: ["aws.ec2"] }, event)).toBe(false);
  });

  it("refuses what EventBridge would refuse or what it does not model", () => {
    expect(() => matchesPattern({ source: "aws.s3" }, event)).toThrow(/array of matchers/);
    expect(() => matchesPattern({ source: [] }, event)).toThrow(/empty/);
    expect(() => matchesPattern({ source: [{ cidr: "10.0.0.0/8" }] }, event)).toThrow(
      /unsupported pattern operator "cidr"/,
    );
  });
});
