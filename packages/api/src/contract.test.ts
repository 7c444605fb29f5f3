import { describe, expect, it } from "vitest";
import { corpusIdFor, type Corpus, type Passage } from "@genq/core";
import { corpusRecord, scriptedSearchIndex } from "@genq/core/testing";
import { testApp } from "./test-app.ts";

type Schema = Record<string, unknown>;
type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
  components: { schemas: Record<string, Schema> };
};

/**
 * The part of JSON Schema 2020-12 (what OpenAPI 3.1 schemas are) that the document uses: $ref, type
 * (one or a list), properties, required, additionalProperties, items, anyOf/oneOf, enum, const. Returns
 * the problems found, each with its JSON path.
 */
function problems(doc: Doc, schema: Schema, value: unknown, at = "$"): string[] {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace("#/components/schemas/", "");
    return problems(doc, doc.components.schemas[name]!, value, at);
  }
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives && alternatives.every((s) => problems(doc, s, value, at).length))
    return [`${at}: matches none of its alternatives`];
  if (schema.const !== undefined && value !== schema.const) return [`${at}: is not ${JSON.stringify(schema.const)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} not in enum`];
  const kind =
    value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
  const types = schema.type === undefined ? null : ([] as unknown[]).concat(schema.type);
  if (types && !types.includes(kind) && !(kind === "integer" && types.includes("number")))
    return [`${at}: is ${kind}, the document says ${types.join(" or ")}`];
  const out: string[] = [];
  if (kind === "object") {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? [])
      if (!(key in object)) out.push(`${at}.${key}: required, missing`);
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [key, v] of Object.entries(object)) {
      const sub = props[key] ?? schema.additionalProperties;
      if (sub === false) out.push(`${at}.${key}: not in the document`);
      else if (sub && typeof sub === "object") out.push(...problems(doc, sub as Schema, v, `${at}.${key}`));
    }
  }
  if (kind === "array" && schema.items)
    (value as unknown[]).forEach((v, i) => out.push(...problems(doc, schema.items as Schema, v, `${at}[${i}]`)));
  return out;
}

const corpus = (name: string, tenant: string): Corpus => corpusRecord(name, tenant);

describe("responses and the OpenAPI document", () => {
  it("every status, media type and JSON body a client gets is the one the document states, errors included", async () => {
    const t = testApp();
    const doc = (await (await t.app.request("/openapi.json")).json()) as Doc;
    const bDocs = corpusIdFor("t2", "docs", "t1");
    await t.repo.putCorpus(corpus("docs", "t1"), null);
    await t.repo.putCorpus(corpus(bDocs, "t2"), null);
    await t.putRun({ id: "r1", state: "training" });
    await t.putRun({ id: "rb", corpus: bDocs, tenant: "t2", state: "ready" });
    // t1's corpus serves an index of two passages; the reader and generator answer from the first one.
    t.deps.index = scriptedSearchIndex(() => ["guide/a.md", "guide/b.md"]);
    await t.deps.index.promote("docs", "v1");
    const span = (p: Passage) => ({ passageId: p.id, text: p.text.slice(0, 5), score: 0.9, start: 0, end: 5 });
    t.deps.reader = {
      read: async (_q, passages) => ({
        answers: [span(passages[0]!)],
        noAnswer: false,
        bestGuess: null,
        metadata: { model: "scripted", latencyMs: 1, threshold: 0.5 },
      }),
    };
    t.deps.generator = {
      answer: async (_q, passages) => ({
        answer: "Guide.",
        sentences: [{ text: "Guide.", citations: [{ passageId: passages[0]!.id, start: 0, end: 5 }] }],
        noAnswer: false,
        metadata: { model: "scripted", latencyMs: 1 },
      }),
    };
    const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { "content-type": "application/json" } });

    // [method, path, documented path, key, request]: tenant t2 (k2) reaching for t1's corpora and runs among them.
    const requests: Array<[string, string, string, string | null, RequestInit?]> = [
      ["GET", "/v1/corpora", "/v1/corpora", "k2"],
      ["GET", "/v1/corpora/docs", "/v1/corpora/{corpus}", "k2"],
      ["GET", "/v1/corpora/nobody", "/v1/corpora/{corpus}", "k2"],
      ["GET", "/v1/corpora/Docs", "/v1/corpora/{corpus}", "k2"],
      ["GET", `/v1/corpora/${bDocs}`, "/v1/corpora/{corpus}", "k1"],
      ["GET", "/v1/corpora/docs", "/v1/corpora/{corpus}", null],
      ["GET", "/v1/corpora/docs/documents?cursor=forged", "/v1/corpora/{corpus}/documents", "k2"],
      ["GET", "/v1/corpora/docs/runs", "/v1/corpora/{corpus}/runs", "k2"],
      ["GET", "/v1/runs/r1", "/v1/runs/{run}", "k1"],
      ["GET", "/v1/runs/r1", "/v1/runs/{run}", "k2"],
      ["POST", "/v1/runs/r1/cancel", "/v1/runs/{run}/cancel", "k2"],
      ["GET", "/v1/runs/r1/report", "/v1/runs/{run}/report", "k2"],
      ["GET", "/v1/runs/rb/report", "/v1/runs/{run}/report", "k2"],
      ["GET", "/v1/runs/rb/compare/r1", "/v1/runs/{run}/compare/{other}", "k2"],
      ["GET", "/v1/runs/r1/results/x.csv", "/v1/runs/{run}/results/{file}", "k2"],
      ["POST", "/v1/corpora/docs/search", "/v1/corpora/{corpus}/search", "k1", json({ query: "x", mode: "lexical" })],
      ["POST", "/v1/corpora/docs/qa", "/v1/corpora/{corpus}/qa", "k1", json({ question: "x", mode: "lexical" })],
      [
        "POST",
        "/v1/corpora/docs/answer",
        "/v1/corpora/{corpus}/answer",
        "k1",
        json({ question: "x", mode: "lexical" }),
      ],
      ["POST", "/v1/corpora/docs/search", "/v1/corpora/{corpus}/search", "k2", json({ query: "x" })],
      ["POST", "/v1/corpora/docs/search", "/v1/corpora/{corpus}/search", "k1", json({ query: "x", k: 1000 })],
      ["POST", "/v1/corpora/docs/qa", "/v1/corpora/{corpus}/qa", "k2", json({ question: "x" })],
      ["POST", "/v1/corpora/docs/answer", "/v1/corpora/{corpus}/answer", "k2", { body: "{}" }],
      [
        "POST",
        "/v1/corpora/docs/documents",
        "/v1/corpora/{corpus}/documents",
        "k2",
        json({ path: "a.md", content: "# A" }),
      ],
      [
        "POST",
        "/v1/corpora/docs/documents",
        "/v1/corpora/{corpus}/documents",
        "k2",
        json({ path: "a.docx", content: "x" }),
      ],
      [
        "POST",
        "/v1/corpora/docs/documents",
        "/v1/corpora/{corpus}/documents",
        "k2",
        json({ path: "b.md", content: "x".repeat(2e6) }),
      ],
      ["DELETE", "/v1/corpora/docs/documents/..%2Fdocs%2Fa.md", "/v1/corpora/{corpus}/documents/{path}", "k2"],
      ["DELETE", "/v1/corpora/docs/documents/nothing.md", "/v1/corpora/{corpus}/documents/{path}", "k1"],
      ["PUT", "/v1/corpora/docs/judgments", "/v1/corpora/{corpus}/judgments", "k2", json({ queries: "x", qrels: "y" })],
      ["POST", "/v1/corpora/docs/uploads", "/v1/corpora/{corpus}/uploads", "k2", json({ path: "a.pdf", size: 1 })],
      ["GET", "/v1/keys", "/v1/keys", "k2"],
      ["DELETE", "/v1/keys/0123456789abcdef", "/v1/keys/{id}", "k2"],
      ["DELETE", "/v1/keys/not-an-id", "/v1/keys/{id}", "k2"],
    ];
    const qa = await t.call("/v1/corpora/docs/qa", {
      method: "POST",
      key: "k1",
      ...json({ question: "x", mode: "lexical" }),
    });
    expect(((await qa.json()) as { answers: unknown[] }).answers).toHaveLength(1);
    const found: string[] = [];
    const statuses: number[] = [];
    for (const [method, path, template, key, init] of requests) {
      const res = await t.call(path, { ...init, method, key });
      statuses.push(res.status);
      const where = `${method} ${path} → ${res.status}`;
      const responses = doc.paths[template]?.[method.toLowerCase()]?.responses ?? {};
      const documented = responses[String(res.status)] ?? responses.default;
      if (!documented) {
        found.push(`${where}: status not in the document`);
        continue;
      }
      const type = (res.headers.get("content-type") ?? "").split(";")[0]!;
      const media = documented.content?.[type];
      if (!media) {
        found.push(`${where}: ${type} not in the document (${Object.keys(documented.content ?? {}).join(", ")})`);
        continue;
      }
      if (type.endsWith("json"))
        found.push(...problems(doc, media.schema, await res.json()).map((p) => `${where}: ${p}`));
    }
    expect(found).toEqual([]);
    // The checker itself notices a body that is not what the document says.
    expect(problems(doc, { $ref: "#/components/schemas/Problem" }, { error: { code: 1 } })).toContain(
      "$.type: required, missing",
    );
    expect(problems(doc, { $ref: "#/components/schemas/Run" }, { id: "r", history: [{ at: 1 }] })).toContain(
      "$.history[0].at: is integer, the document says string",
    );
    // The tenant boundary held throughout: t2 never read, wrote or ran anything of t1's.
    expect(statuses).toEqual([
      200, 200, 404, 400, 400, 401, 400, 200, 200, 404, 404, 404, 404, 404, 404, 200, 200, 200, 409, 400, 409, 400, 202,
      415, 413, 400, 404, 400, 501, 200, 404, 400,
    ]);
  });
});
