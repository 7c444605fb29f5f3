import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DocumentRejectedError } from "@genq/core";
import { describe, expect, it } from "vitest";
import { parseDocument } from "./index.ts";

const good = (name: string) => readFileSync(join(import.meta.dirname, "../../../test/fixtures/docs/good", name));
const bad = (name: string) => readFileSync(join(import.meta.dirname, "../../../test/fixtures/docs/bad", name));

describe("parseDocument", () => {
  it("reads Markdown into heading-path sections without markup", async () => {
    const [doc] = await parseDocument("indexes.md", good("indexes.md"));
    expect(doc!.title).toBe("Indexes");
    expect(doc!.sections.map((s) => s.title)).toEqual(["Indexes", "Indexes › Index Types", "Indexes › Index Types › Hash Indexes"]);
    const hash = doc!.sections[2]!.text;
    expect(hash).toContain("simple equality comparisons. See the manual for details.");
    expect(doc!.sections[1]!.text).toContain("CREATE INDEX test1_id_index ON test1 (id);");
    expect(doc!.sections.map((s) => s.text).join(" ")).not.toContain("author:");
  });

  it("reads HTML text only, keeping headings as titles and dropping scripts, styles and navigation", async () => {
    const [doc] = await parseDocument("mvcc.html", good("mvcc.html"));
    const all = doc!.sections.map((s) => s.text).join("\n");
    expect(doc!.title).toBe("Concurrency Control");
    expect(doc!.sections.map((s) => s.title)).toEqual([
      "Concurrency Control",
      "Concurrency Control › Introduction",
      "Concurrency Control › Transaction Isolation",
    ]);
    expect(all).not.toMatch(/trackVisitor|margin|Home|Prev/);
    expect(all).toContain("four levels of transaction isolation & the phenomena");
    expect(all).toContain("Level | Dirty Read");
    expect(all).toContain("BEGIN;\nSET TRANSACTION ISOLATION LEVEL SERIALIZABLE;");
  });

  it("reads plain text, joining hard-wrapped lines but keeping indented lines", async () => {
    const [doc] = await parseDocument("notes/backups.txt", good("backups.txt"));
    expect(doc!.title).toBe("backups");
    expect(doc!.sections[0]!.text).toContain("PostgreSQL databases should be backed up regularly.");
    expect(doc!.sections[0]!.text).toContain("pg_dump dbname > dumpfile\npsql dbname < dumpfile");
  });

  it("reads the text layer of a PDF", async () => {
    const [doc] = await parseDocument("vacuum-guide.pdf", good("vacuum-guide.pdf"));
    expect(doc!.title).toBe("Vacuum Guide");
    expect(doc!.sections[0]!.text).toContain("autovacuum daemon automates the execution of VACUUM");
  });

  it("reads a BEIR corpus.jsonl as one document per line, keeping ids", async () => {
    const docs = await parseDocument("corpus.jsonl", good("corpus.jsonl"));
    expect(docs.map((d) => d.id)).toEqual(["doc-1", "doc-2", "doc-3"]);
    expect(docs[1]!.title).toBe("Analyze");
  });

  it.each([
    ["empty.txt", /file is empty/],
    ["binary.txt", /binary/],
    ["invalid-utf8.txt", /not valid UTF-8 \(first bad byte at offset 27\)/],
    ["malformed.pdf", /PDF could not be read/],
    ["scripts-only.html", /no readable text/],
    ["bad-lines.jsonl", /2 bad line\(s\): line 2: not JSON; line 3: missing "text"/],
    ["unsupported.docx", /unsupported file type ".docx"/],
  ])("rejects %s with a reason", async (name, reason) => {
    const attempt = parseDocument(name, bad(name));
    await expect(attempt).rejects.toBeInstanceOf(DocumentRejectedError);
    await expect(parseDocument(name, bad(name))).rejects.toThrow(reason);
  });
});
