import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GENQ, copyFixtures, genq, tempDir } from "./helpers.ts";

const quiet = { GENQ_LOG_LEVEL: "silent" };

/** A data folder with the good fixtures ingested into corpus "good". */
function ingested(): string {
  const data = tempDir();
  expect(genq(["ingest", copyFixtures("good"), "--corpus", "good", "--data", data], quiet).code).toBe(0);
  return data;
}

/** Exactly one line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

/** Run genq as an unprivileged user where this process is root (root writes anywhere), as itself otherwise. */
function genqAsOther(args: string[]) {
  const root = process.getuid?.() === 0;
  const r = spawnSync(process.execPath, [GENQ, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...quiet },
    timeout: 120_000,
    ...(root ? { uid: 65534, gid: 65534 } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the genq command's interface", () => {
  it("has help, per-command help, a version, suggestions for typos and documented exit codes", () => {
    const help = genq(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:[\s\S]*ingest[\s\S]*doctor/);
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 {4}done[\s\S]*130 {2}interrupted/);
    const run = genq(["run", "--help"]);
    expect(run.stdout).toMatch(/Usage: genq run \[options\][\s\S]*--corpus <name>[\s\S]*--json/);
    expect(genq(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const typo = genq(["ingset"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("(Did you mean ingest?)");
    const option = genq(["status", "--jsno"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("(Did you mean --json?)");
    expect(genq(["ingest", "--corpus", "x"]).code).toBe(2);
    // The data folder may come before the command too, as the help's "--data DIR" reads.
    const before = genq(["--data", tempDir(), "corpora", "list"], quiet);
    expect([before.code, before.stderr]).toEqual([0, ""]);
  });

  it("prints ingest's summary as JSON, and progress lines once each when not on a terminal", () => {
    const data = tempDir();
    const r = genq(["ingest", copyFixtures("good"), "--corpus", "good", "--data", data, "--json"], quiet);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      corpus: "good",
      files: 5,
      documents: 7,
      rejected: 0,
      rejectedFiles: [],
      notes: [],
    });
    const plain = genq(["ingest", join(copyFixtures("good"), "backups.txt"), "--corpus", "one", "--data", data], quiet);
    expect(plain.stdout.split("\n").filter((l) => l.startsWith("copying"))).toEqual(["copying 1/1"]);
  });

  it("a mistyped --corpus for genq run is not found, and no corpus or run is made of the typo", () => {
    const data = ingested();
    const r = genq(["run", "--corpus", "godo", "--data", data], quiet);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(
      'genq: corpus "godo" not found: ingest documents into it first (genq ingest DIR --corpus godo, or genq run --docs DIR)',
    );
    expect(genq(["corpora", "list", "--data", data], quiet).stdout).not.toContain("godo");
  });

  it("refuses --sync with one document, which would delete the rest of the corpus", () => {
    const data = ingested();
    const before = genq(["status", "--corpus", "good", "--json", "--data", data], quiet).stdout;
    const r = genq(
      ["ingest", join(copyFixtures("good"), "backups.txt"), "--corpus", "good", "--sync", "--data", data],
      quiet,
    );
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /^genq: --sync makes a corpus match a folder or a corpus\.jsonl, and .*backups\.txt is one document: ingest it without --sync$/,
    );
    expect(genq(["status", "--corpus", "good", "--json", "--data", data], quiet).stdout).toBe(before);
  });

  it("refuses --sync from an empty folder or file, which would delete the whole corpus", () => {
    const data = ingested();
    const before = genq(["status", "--corpus", "good", "--json", "--data", data], quiet).stdout;
    const empty = tempDir();
    mkdirSync(join(empty, "nested"));
    writeFileSync(join(empty, "corpus.jsonl"), "");
    for (const source of [join(empty, "nested"), join(empty, "corpus.jsonl")]) {
      const r = genq(["ingest", source, "--corpus", "good", "--sync", "--data", data], quiet);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toMatch(
        /^genq: --sync from .*, which holds no documents, would delete every document of corpus "good": to empty a corpus, delete it \(genq corpora delete good\)$/,
      );
    }
    expect(genq(["status", "--corpus", "good", "--json", "--data", data], quiet).stdout).toBe(before);
  });

  it("--sync from a folder, another folder, then the first again leaves the first folder's content, not the second's", () => {
    const data = tempDir();
    const [x, y] = [tempDir(), tempDir()];
    writeFileSync(join(x, "a.md"), "# A\n\nXylophones from the first folder.\n");
    writeFileSync(join(y, "a.md"), "# A\n\nYaks from the second folder.\n");
    for (const folder of [x, y])
      expect(genq(["ingest", folder, "--corpus", "xy", "--sync", "--data", data], quiet).code).toBe(0);
    const again = genq(["ingest", x, "--corpus", "xy", "--sync", "--data", data], quiet);
    expect(again.stdout).toContain("replaced  a.md");
    expect(readFileSync(join(data, "bucket/corpora/xy/docs/a.md"), "utf8")).toContain("Xylophones");
    expect(genq(["ingest", x, "--corpus", "xy", "--sync", "--data", data], quiet).stdout).toContain(
      "0 added, 0 replaced, 0 deleted, 1 unchanged",
    );
  });

  it("makes no API key for a blank tenant (a key every request would refuse)", () => {
    const data = tempDir();
    const r = genq(["keys", "create", "--tenant", "", "--data", data], quiet);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(
      'genq: --tenant: a tenant is a name without surrounding spaces or control characters, not ""',
    );
    expect(genq(["keys", "list", "--data", data], quiet).stdout.trim()).toBe("no API keys");
  });

  it("never ingests its own data folder when it lies inside the ingested folder", () => {
    const folder = tempDir();
    writeFileSync(join(folder, "notes.md"), "# Notes\n\nThe only document here.\n");
    const data = join(folder, "genq-data");
    for (let i = 0; i < 2; i++) {
      const r = genq(["ingest", folder, "--corpus", "self", "--data", data, "--json"], quiet);
      expect(JSON.parse(r.stdout)).toMatchObject({ files: 1, documents: 1, rejected: 0 });
    }
  });

  it("says in one line that the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = genq(["serve", "--port", String(port), "--data", ingested()], quiet);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toBe(
        `genq: port ${port} is already in use (another genq serve?): stop that process, or choose another port with --port N or GENQ_PORT`,
      );
    } finally {
      blocker.close();
    }
  });
});

describe("hostile inputs to genq ingest", () => {
  it("records a link to a folder and a name with a newline as rejected, ingests the rest, and prints names escaped", () => {
    const src = copyFixtures("good");
    mkdirSync(join(src, "sub"));
    writeFileSync(join(src, "sub", "inner.md"), "# Inner\n\nA document in a sub folder.\n");
    symlinkSync(join(src, "sub"), join(src, "link-to-folder"));
    symlinkSync("..", join(src, "sub", "up"));
    writeFileSync(join(src, "two\nlines.md"), "# Two\n\nLines.\n");
    const data = tempDir();
    const r = genq(["ingest", src, "--corpus", "hostile", "--data", data, "--json"], quiet);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      documents: number;
      rejectedFiles: Array<{ path: string; reason: string }>;
    };
    expect(summary.documents).toBe(8);
    expect(Object.fromEntries(summary.rejectedFiles.map((f) => [f.path, f.reason]))).toEqual({
      "link-to-folder": "path is not allowed: it is a link to a folder (genq follows links to files only)",
      "sub/up": "path is not allowed: it is a link to a folder (genq follows links to files only)",
      "two\nlines.md": "path is not allowed: it contains a control character (\\n) at position 4",
    });
    const status = genq(["status", "--corpus", "hostile", "--data", data], quiet);
    expect(status.stdout).toContain("    two\\nlines.md: path is not allowed");
    expect(status.stdout.split("\n").some((l) => l === "lines.md: path is not allowed")).toBe(false);
  });
});

describe("storage faults", () => {
  it.each([
    [
      "not a database",
      (db: string) => writeFileSync(db, "this is a text file, not a database\n".repeat(200)),
      /is not a genq database/,
    ],
    ["truncated", (db: string) => truncateSync(db, 9000), /is (damaged|not a genq database)/],
  ])(
    "a %s genq.db: one readable line naming the file, exit 4, and genq doctor says what to do",
    (_name, damage, message) => {
      const data = ingested();
      const db = join(data, "genq.db");
      genq(["doctor", "--repair", "--data", data], quiet);
      damage(db);
      for (const args of [
        ["ingest", copyFixtures("good"), "--corpus", "good"],
        ["status"],
        ["run", "--corpus", "good"],
        ["serve", "--port", "0"],
      ]) {
        const r = genq([...args, "--data", data], quiet);
        expect(r.code, args.join(" ")).toBe(4);
        const line = oneLine(r.stderr);
        expect(line).toContain(db);
        expect(line).toMatch(message);
      }
      const doctor = genq(["doctor", "--data", data], quiet);
      expect(doctor.code).toBe(4);
      expect(doctor.stdout).toMatch(/^fail {2}database {9}.*(restore it from a backup|move it aside)/m);
    },
  );

  it("a read-only data folder: writing commands say so in one line (exit 4), genq status still reads it", () => {
    const data = ingested();
    // Root may write anywhere: the folder is made read-only, and genq runs as another user where this test runs as root.
    for (const p of [data, join(data, "bucket")]) chmodSync(p, 0o555);
    chmodSync(join(data, "genq.db"), 0o444);
    try {
      const status = genqAsOther(["status", "--data", data]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain("corpus good (tenant local)");
      expect(status.stdout).toContain("documents  7");
      const ingest = genqAsOther(["ingest", copyFixtures("good"), "--corpus", "more", "--data", data]);
      expect(ingest.code).toBe(4);
      expect(oneLine(ingest.stderr)).toMatch(new RegExp(`${data}.*cannot be written.*make it writable`));
    } finally {
      for (const p of [data, join(data, "bucket")]) chmodSync(p, 0o755);
    }
  });

  const canMount =
    process.platform === "linux" && process.getuid?.() === 0 && spawnSync("mount", ["--version"]).status === 0;
  it.runIf(canMount)("a full disk (a 1 MB tmpfs): one line saying so, exit 4, no temporary files left", () => {
    const mnt = tempDir();
    expect(spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt]).status).toBe(0);
    try {
      const src = tempDir();
      for (let i = 0; i < 12; i++)
        writeFileSync(join(src, `big-${i}.txt`), `Sentence ${i} about storage. `.repeat(4000));
      const data = join(mnt, "data");
      const r = genq(["ingest", src, "--corpus", "full", "--data", data], quiet);
      expect(r.code).toBe(4);
      expect(oneLine(r.stderr)).toMatch(/the disk holding .* is full: free some space, then run the command again/);
      const tmp = join(data, "bucket", ".tmp");
      expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
    } finally {
      spawnSync("umount", [mnt]);
    }
  });

  it("a deleted passages file: status and doctor say so, and doctor --repair rebuilds it from the stored copy", () => {
    const data = ingested();
    const passages = join(data, "bucket", "corpora", "good", "passages");
    const [first] = readdirSync(passages);
    copyFileSync(join(passages, first!), join(tempDir(), "kept"));
    spawnSync("rm", [join(passages, first!)]);
    const status = genq(["status", "--corpus", "good", "--data", data, "--json"], quiet);
    const s = JSON.parse(status.stdout) as { missingPassages: string[]; passages: number };
    expect(s.missingPassages).toHaveLength(1);
    expect(genq(["status", "--corpus", "good", "--data", data], quiet).stdout).toMatch(
      /missing {4}the passages of 1 document\(s\) are gone from the store; ingest their folder again to rebuild them/,
    );
    expect(genq(["doctor", "--data", data], quiet).stdout).toMatch(
      /^warn {2}passages .*1 document\(s\) have lost their passages/m,
    );
    const repair = genq(["doctor", "--repair", "--data", data], quiet);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/^fixed passages .*re-chunked 1 document\(s\)/m);
    const after = JSON.parse(genq(["status", "--corpus", "good", "--data", data, "--json"], quiet).stdout) as typeof s;
    expect(after.missingPassages).toEqual([]);
    expect(after.passages).toBeGreaterThan(s.passages);
  });
});
