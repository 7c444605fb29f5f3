import { readFileSync, symlinkSync, truncateSync, writeFileSync, appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deleteCorpus, keys, type Passage } from "@genq/core";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { drainAll, ingestFolder } from "../../packages/cli/src/ingest-folder.ts";
import { createLocalDeps } from "../../packages/cli/src/local-deps.ts";
import { copyFixtures, genq, tempDir } from "./helpers.ts";

const depsFor = (data: string, env: Record<string, string> = {}) =>
  createLocalDeps(loadConfig({ GENQ_LOG_LEVEL: "silent", ...env }, { data }));

async function passagesOf(deps: ReturnType<typeof depsFor>, corpus: string): Promise<Passage[]> {
  const out: Passage[] = [];
  for (const d of await deps.repo.listDocuments(corpus)) {
    if (!d.passagesKey) continue;
    const text = new TextDecoder().decode(await deps.blobs.get(d.passagesKey));
    out.push(
      ...text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Passage),
    );
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

describe("genq ingest (local runtime)", () => {
  it("ingests every supported format, and a second ingest changes nothing", async () => {
    const data = tempDir();
    const src = copyFixtures("good");
    const deps = depsFor(data);
    const first = await ingestFolder(deps, { source: src, corpus: "fixtures", quiet: true });
    expect(first).toMatchObject({ files: 5, raised: 5, rejected: 0, documents: 7 });
    const before = await passagesOf(deps, "fixtures");
    const eventsBefore = deps.outbox.lastSeq();

    const second = await ingestFolder(deps, { source: src, corpus: "fixtures", quiet: true });
    expect(second).toMatchObject({ raised: 0, documents: 7, passages: first.passages });
    expect(await passagesOf(deps, "fixtures")).toEqual(before);
    expect(deps.outbox.lastSeq()).toBe(eventsBefore);
    expect(before.map((p) => p.documentId)).toEqual(
      expect.arrayContaining(["doc-1", "doc-2", "doc-3", "indexes.md", "mvcc.html", "backups.txt", "vacuum-guide.pdf"]),
    );
    deps.close();
  });

  it("ingests the whole folder again after its corpus was deleted", async () => {
    const data = tempDir();
    const src = copyFixtures("good");
    const deps = depsFor(data);
    const first = await ingestFolder(deps, { source: src, corpus: "fixtures", quiet: true });
    await deleteCorpus(deps.documentDeps, { corpus: "fixtures" });
    const again = await ingestFolder(deps, { source: src, corpus: "fixtures", quiet: true });
    expect(again).toMatchObject({ files: 5, raised: 5, documents: first.documents, passages: first.passages });
    expect(again.changes.added).toHaveLength(5);
    deps.close();
  });

  it("replaces a changed document's passages and keeps the old ones when a new version is unreadable", async () => {
    const data = tempDir();
    const src = copyFixtures("good");
    const deps = depsFor(data);
    await ingestFolder(deps, { source: src, corpus: "fixtures", quiet: true });
    const old = await deps.repo.getDocument("fixtures", "backups.txt");

    appendFileSync(
      join(src, "backups.txt"),
      "\nPoint-in-time recovery replays archived WAL files up to a chosen moment.\n",
    );
    await ingestFolder(deps, { source: src, corpus: "fixtures", quiet: true });
    const changed = await deps.repo.getDocument("fixtures", "backups.txt");
    expect(changed!.contentHash).not.toBe(old!.contentHash);
    expect(await deps.blobs.head(old!.passagesKey!)).toBeNull();
    const texts = (await passagesOf(deps, "fixtures"))
      .filter((p) => p.documentId === "backups.txt")
      .map((p) => p.text)
      .join(" ");
    expect(texts).toContain("Point-in-time recovery");

    writeFileSync(join(src, "backups.txt"), Buffer.from([0x00, 0xff, 0xfe, 0x01]));
    await ingestFolder(deps, { source: src, corpus: "fixtures", quiet: true });
    const rejected = await deps.repo.getDocument("fixtures", "backups.txt");
    expect(rejected).toMatchObject({
      status: "rejected",
      passagesKey: changed!.passagesKey,
      passageCount: changed!.passageCount,
    });
    expect(rejected!.reason).toMatch(/binary.*previous version's \d+ passages are kept/);
    expect(await deps.blobs.head(changed!.passagesKey!)).not.toBeNull();
    deps.close();
  });

  it("records every bad input as document.rejected with a reason, without stopping the batch", async () => {
    const data = tempDir();
    const src = copyFixtures("bad");
    writeFileSync(join(src, "fine.md"), "# Fine\n\nThis document is perfectly fine and should be chunked.\n");
    const big = join(src, "huge.txt");
    writeFileSync(big, "");
    truncateSync(big, 2 * 1024 * 1024 + 1);
    const deps = depsFor(data, { GENQ_MAX_DOCUMENT_MB: "2" });
    const summary = await ingestFolder(deps, { source: src, corpus: "bad", quiet: true });
    expect(summary).toMatchObject({ files: 10, rejected: 8, documents: 2 });

    await deps.outbox.publish([
      { type: "document.uploaded", corpus: "bad", detail: { key: "corpora/bad/docs/../../../etc/passwd", size: 10 } },
    ]);
    await drainAll(deps);

    const reasons = Object.fromEntries(
      (await deps.repo.listDocuments("bad")).filter((d) => d.status === "rejected").map((d) => [d.path, d.reason]),
    );
    expect(reasons).toEqual({
      "../../../etc/passwd": expect.stringMatching(/path is not allowed: it must stay inside the corpus/),
      "binary.txt": expect.stringMatching(/binary/),
      "empty.txt": "file is empty",
      "escape-link.txt": expect.stringMatching(/link that points outside/),
      "huge.txt": "file is 2.0 MB, over the 2.0 MB limit",
      "invalid-utf8.txt": expect.stringMatching(/not valid UTF-8/),
      "malformed.pdf": expect.stringMatching(/PDF could not be read/),
      "scripts-only.html": expect.stringMatching(/no readable text/),
      "unsupported.docx": expect.stringMatching(/unsupported file type/),
    });
    const rejectedEvents = deps.outbox.readAfter(0, 1000).filter((e) => e.event.type === "document.rejected");
    expect(rejectedEvents).toHaveLength(9);
    expect(await deps.repo.getDocument("bad", "bad-lines.jsonl")).toMatchObject({
      status: "chunked",
      documentCount: 1,
      notes: ['2 bad line(s) skipped: line 2: not JSON; line 3: missing "text"'],
    });
    expect(deps.outbox.deadLetters()).toEqual([]);
    expect(await deps.blobs.head(keys.doc("bad", "fine.md"))).not.toBeNull();
    deps.close();

    const status = genq(["status", "--corpus", "bad", "--data", data]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("2 chunked, 9 rejected");
    expect(status.stdout).toContain('bad-lines.jsonl: 2 bad line(s) skipped: line 2: not JSON; line 3: missing "text"');
    expect(status.stdout).toContain("empty.txt: file is empty");
    expect(status.stdout).toContain("huge.txt: file is 2.0 MB, over the 2.0 MB limit");
  });

  it("refuses a bad corpus name and unknown commands with a clear message", () => {
    const data = tempDir();
    const bad = genq(["ingest", copyFixtures("good"), "--corpus", "Not_Valid", "--data", data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("corpus: corpus names are 1-63 characters");
    const typo = genq(["statsu", "--data", data]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("genq: unknown command 'statsu'\n(Did you mean status?)");
    const env = genq(["status", "--data", data], { GENQ_MAX_DOCUMENT_MB: "lots", GENQ_LOG_LEVEL: "loud" });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/GENQ_MAX_DOCUMENT_MB[\s\S]*GENQ_LOG_LEVEL/);
  });

  it("handles folders with nested paths and a corpus.jsonl given directly", async () => {
    const data = tempDir();
    const src = tempDir();
    mkdirSync(join(src, "guide", "deep"), { recursive: true });
    writeFileSync(join(src, "guide", "deep", "a.md"), "# A\n\nNested documents keep their relative path.\n");
    symlinkSync(join(src, "guide", "deep", "a.md"), join(src, "inside-link.md"));
    const deps = depsFor(data);
    await ingestFolder(deps, { source: src, corpus: "nested", quiet: true });
    expect((await deps.repo.listDocuments("nested")).map((d) => [d.path, d.status])).toEqual([
      ["guide/deep/a.md", "chunked"],
      ["inside-link.md", "chunked"],
    ]);
    await ingestFolder(deps, { source: join(copyFixtures("good"), "corpus.jsonl"), corpus: "beir", quiet: true });
    expect(await deps.repo.getDocument("beir", "corpus.jsonl")).toMatchObject({ documentCount: 3, status: "chunked" });
    expect(readFileSync(join(data, "bucket", "corpora", "beir", "docs", "corpus.jsonl"), "utf8")).toContain("doc-1");
    deps.close();
  });
});

describe("genq status --follow", () => {
  it("prints stage events as they are published, for the chosen corpus", async () => {
    const { followEvents } = await import("../../packages/cli/src/follow.ts");
    const deps = depsFor(tempDir());
    const lines: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const following = followEvents(deps, "watched", (l) => lines.push(l), stopped, 10);
    await deps.outbox.publish([
      { type: "run.failed", corpus: "watched", detail: { runId: "r1", reason: "no passages" } },
      { type: "run.failed", corpus: "other", detail: { runId: "r2", reason: "x" } },
      { type: "document.uploaded", corpus: "watched", detail: { key: "corpora/watched/docs/a.md", size: 1 } },
    ]);
    await new Promise((r) => setTimeout(r, 100));
    stop();
    await following;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/watched {2}run\.failed {2}runId=r1 reason=no passages$/);
    deps.close();
  });
});
