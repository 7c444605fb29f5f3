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
    expect(doc!.sections.map((s) => s.title)).toEqual([
      "Indexes",
      "Indexes › Index Types",
      "Indexes › Index Types › Hash Indexes",
    ]);
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

  it("ingests the good lines of a BEIR corpus and reports the bad ones by line number", async () => {
    const docs = await parseDocument("bad-lines.jsonl", bad("bad-lines.jsonl"));
    expect(docs.map((d) => d.id)).toEqual(["d1"]);
    expect(docs[0]!.notes).toEqual(['2 bad line(s) skipped: line 2: not JSON; line 3: missing "text"']);
    await expect(parseDocument("all-bad.jsonl", new TextEncoder().encode("{nope}\n[1]\n"))).rejects.toThrow(
      /no good line; 2 bad line\(s\): line 1: not JSON; line 2: missing "_id"/,
    );
  });

  it("decodes the encodings real documents use, and says which", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Crème brûlée is served cold.", "utf16le")]);
    const [le] = await parseDocument("dessert.txt", utf16);
    expect(le!.sections[0]!.text).toBe("Crème brûlée is served cold.");
    expect(le!.notes).toEqual(["decoded from UTF-16LE (byte-order mark)"]);
    const be = Buffer.from([0xfe, 0xff, ...Buffer.from("Zoë", "utf16le").swap16()]);
    expect((await parseDocument("name.md", be))[0]!.sections[0]!.text).toBe("Zoë");
    // windows-1252 bytes: 0x93/0x94 are curly quotes, 0xE9 is é; the meta tag declares the charset.
    const html = Buffer.concat([
      Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><title>Caf'),
      Buffer.from([0xe9]),
      Buffer.from("</title></head><body><p>"),
      Buffer.from([0x93]),
      Buffer.from("Quoted"),
      Buffer.from([0x94]),
      Buffer.from(" text.</p></body></html>"),
    ]);
    const [page] = await parseDocument("cafe.html", html);
    expect(page!.title).toBe("Café");
    expect(page!.sections[0]!.text).toBe("\u201cQuoted\u201d text.");
    expect(page!.notes).toEqual(["decoded as windows-1252 (the document declares windows-1252)"]);
    const latin = await parseDocument(
      "meta.html",
      Buffer.concat([Buffer.from('<meta charset="iso-8859-1"><p>na'), Buffer.from([0xef]), Buffer.from("ve</p>")]),
    );
    expect(latin[0]!.sections[0]!.text).toBe("naïve");
    const plain = await parseDocument(
      "old.txt",
      Buffer.concat([Buffer.from("Gr"), Buffer.from([0xfc]), Buffer.from("n ist die Farbe.")]),
    );
    expect(plain[0]!.sections[0]!.text).toBe("Grün ist die Farbe.");
    expect(plain[0]!.notes).toEqual(["not UTF-8: decoded as Latin-1 (windows-1252)"]);
    expect((await parseDocument("ok.txt", Buffer.from("Plain UTF-8 — fine.")))[0]!.notes).toBeUndefined();
  });

  it.each([
    ["empty.txt", /file is empty/],
    ["binary.txt", /binary/],
    ["invalid-utf8.txt", /not valid UTF-8 \(first bad byte at offset 27\)/],
    ["malformed.pdf", /PDF could not be read/],
    ["scripts-only.html", /no readable text/],
    ["unsupported.docx", /unsupported file type ".docx"/],
  ])("rejects %s with a reason", async (name, reason) => {
    const attempt = parseDocument(name, bad(name));
    await expect(attempt).rejects.toBeInstanceOf(DocumentRejectedError);
    await expect(parseDocument(name, bad(name))).rejects.toThrow(reason);
  });

  it("reads metadata: Markdown front matter, HTML <meta> and a BEIR line's metadata; a broken header rejects nothing", async () => {
    const enc = (t: string) => new TextEncoder().encode(t);
    const [fixture] = await parseDocument("indexes.md", good("indexes.md"));
    expect(fixture!.metadata).toEqual({ author: "genq fixtures" });
    const [md] = await parseDocument(
      "guide.md",
      enc(
        "---\ntitle: Vacuum guide\nTeam: Ops\ntags: [maintenance, storage]\nreviewed: 2026-01-02\n---\nVACUUM reclaims storage.\n",
      ),
    );
    expect(md).toMatchObject({
      title: "Vacuum guide",
      metadata: { title: "Vacuum guide", team: "Ops", tags: ["maintenance", "storage"], reviewed: "2026-01-02" },
    });
    const [broken] = await parseDocument("broken.md", enc("---\n: [unclosed\n---\nText survives.\n"));
    expect(broken!.metadata).toBeUndefined();
    expect(broken!.sections[0]!.text).toBe("Text survives.");
    const [html] = await parseDocument(
      "page.html",
      enc(
        '<html><head><title>T</title><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="Author" content="Ann"><meta property="og:type" content="article"><meta name="keywords" content="a"><meta name="keywords" content="b"></head><body><p>Body text.</p></body></html>',
      ),
    );
    expect(html!.metadata).toEqual({ author: "Ann", "og:type": "article", keywords: ["a", "b"] });
    // "keywords" is a set of comma-separated tokens (WHATWG HTML, "Standard metadata names":
    // https://html.spec.whatwg.org/multipage/semantics.html#standard-metadata-names), so a filter can name one.
    const [listed] = await parseDocument(
      "k.html",
      enc(
        '<html><head><meta name="keywords" content="ice, seals,,harbor seal "></head><body><p>Seals.</p></body></html>',
      ),
    );
    expect(listed!.metadata).toEqual({ keywords: ["ice", "seals", "harbor seal"] });
    const beir = await parseDocument(
      "c.jsonl",
      enc(
        '{"_id": "d1", "text": "One.", "metadata": {"url": "https://x", "year": 2020}}\n{"_id": "d2", "text": "Two."}\n',
      ),
    );
    expect(beir.map((d) => d.metadata)).toEqual([{ url: "https://x", year: "2020" }, undefined]);
  });
});
