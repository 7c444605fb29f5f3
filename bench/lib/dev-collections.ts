/**
 * Development collections with real questions, built from Debian documentation packages (never Python's
 * or Perl's): a package's FAQ questions are the queries, the sections that answer them (with the question
 * removed from their title, and every verbatim copy of a question scrubbed from the corpus) are the
 * relevant documents, and the rest of the package's manual is the haystack — the way debfaq is built.
 * Packages are fetched with `apt-get download` into bench/.cache (git-ignored; GENQ_DEV_CACHE overrides)
 * on first use; nothing fetched is committed. Two more collections need no download: the shipped
 * PostgreSQL examples and debfaq's corpus, where held-out section headings stand in for questions.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseHtml } from "../../packages/parsing/src/parse-html.ts";
import { hashString, STOPWORDS, words } from "@genq/ml";
import { loadDebfaq, type BeirDoc } from "./debfaq.ts";

export interface DevCollection {
  name: string;
  source: string;
  docs: BeirDoc[];
  queries: Array<{ id: string; text: string }>;
  qrels: Map<string, Map<string, number>>;
}

const ROOT = resolve(import.meta.dirname, "../..");
export const CACHE_DIR = resolve(process.env.GENQ_DEV_CACHE ?? join(ROOT, "bench/.cache"));

interface FaqSpec {
  name: string;
  /** Debian package and the version these figures were measured on. */
  pkg: string;
  version: string;
  /** Folder inside the package whose HTML pages form the corpus. */
  dir: string;
  /** Pages left out (duplicates of other pages). */
  skipPages?: RegExp;
  /** Pages (inside `dir`) that hold the questions. */
  faqPages: RegExp;
  /** A heading of an FAQ page that is a question; the match (its numbering) is removed. */
  question: RegExp;
  /** Rewrite a FAQ page so that its questions are headings (some FAQs mark them otherwise). */
  rewrite?: (html: string) => string;
  /** Rewrite every page (e.g. to drop permalink markers inside headings). */
  rewriteAll?: (html: string) => string;
}

export const FAQ_SPECS: FaqSpec[] = [
  {
    name: "sqlite",
    pkg: "sqlite3-doc",
    version: "3.40.1-2+deb12u2",
    dir: "usr/share/doc/sqlite3",
    faqPages: /^faq\.html$/,
    question: /^Q: /,
    rewrite: (html) =>
      html
        .replace(/<ol class=nounderline>[\s\S]*?<\/ol>/, "")
        .replace(/<p><b>\(\d+\)\s*([\s\S]*?)<\/b><\/p>/g, "<h3>Q: $1</h3>"),
  },
  {
    name: "git",
    pkg: "git-doc",
    version: "1:2.39.5-0+deb12u3",
    dir: "usr/share/doc/git-doc",
    faqPages: /^gitfaq\.html$/,
    question: /^Q: /,
    rewrite: (html) => html.replace(/<dt class="hdlist1">([\s\S]*?)<\/dt>/g, "<h4>Q: $1</h4>"),
  },
  {
    name: "ffmpeg",
    pkg: "ffmpeg-doc",
    version: "7:5.1.9-0+deb12u1",
    dir: "usr/share/doc/ffmpeg/manual",
    skipPages: /-all\.html$/,
    faqPages: /^faq\.html$/,
    question: /^\d+\.\d+\s+/,
    rewriteAll: (html) => html.replace(/<span class="pull-right">[\s\S]*?<\/span>/g, ""),
  },
  {
    name: "zsh",
    pkg: "zsh-doc",
    version: "5.9-4",
    dir: "usr/share/doc/zsh-common/html",
    faqPages: /^FAQ\d+\.html$/,
    question: /^\d+\.\d+:\s*/,
  },
  {
    name: "fetchmail",
    pkg: "fetchmail",
    version: "6.4.37-1",
    dir: "usr/share/doc/fetchmail",
    faqPages: /^fetchmail-FAQ\.html$/,
    question: /^[A-Z]\d+\.\s+/,
  },
  // The R FAQ over R's manuals (code-heavy); only numbered headings that ask something are questions.
  {
    name: "r",
    pkg: "r-doc-html",
    version: "4.2.2.20221110-2",
    dir: "usr/share/R/doc/manual",
    faqPages: /^R-FAQ\.html$/,
    question: /^\d+(?:\.\d+)+\s+(?=.*\?$)/,
  },
];

/** Fetch and unpack a package once (`apt-get download` needs only Debian's package archive). */
function unpack(pkg: string, version: string): string {
  const dir = join(CACHE_DIR, "debs", pkg);
  if (existsSync(join(dir, ".done"))) return dir;
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("apt-get", ["download", `${pkg}=${version}`], { cwd: dir, stdio: "pipe" });
  } catch {
    // The pinned version may have left the archive: take the current one and say so.
    console.warn(`${pkg}=${version} is not available; downloading the current ${pkg} (figures may differ)`);
    execFileSync("apt-get", ["download", pkg], { cwd: dir, stdio: "pipe" });
  }
  const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
  execFileSync("dpkg-deb", ["-x", deb, "root"], { cwd: dir });
  writeFileSync(join(dir, ".done"), deb);
  return dir;
}

const contentWords = (s: string) => words(s).filter((w) => !STOPWORDS.has(w) && !/^\d+$/.test(w));
const squash = (s: string) => s.replace(/\s+/g, " ").trim();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const lastPart = (title: string) => title.split(" › ").pop() ?? "";
const parentTitle = (title: string) => title.split(" › ").slice(0, -1).join(" › ");

interface Section {
  page: string;
  title: string;
  text: string;
}

/**
 * Turn sections and their questions into a collection: answers lose the question from their title,
 * every verbatim occurrence of a question is scrubbed from every document (cross-references and tables
 * of contents quote them), documents under 10 words are dropped, and a question whose answer is under
 * 10 words is not used.
 */
function assemble(
  name: string,
  source: string,
  sections: Section[],
  isQuestion: (s: Section) => string | null,
): DevCollection {
  const answers = new Map<string, Section[]>();
  const docs: Array<Section & { answers: string | null }> = [];
  for (const s of sections) {
    const q = isQuestion(s);
    if (q) {
      const list = answers.get(q) ?? [];
      answers.set(q, list);
      const doc = { ...s, title: parentTitle(s.title), answers: q };
      list.push(doc);
      docs.push(doc);
    } else docs.push({ ...s, answers: null });
  }
  const questions = [...answers.keys()];
  const patterns = questions.map((q) => new RegExp(q.split(/\s+/).map(escape).join("\\s+"), "gi"));
  const scrub = (t: string) => patterns.reduce((acc, re) => acc.replace(re, " "), t);
  const out: BeirDoc[] = [];
  const qrels = new Map<string, Map<string, number>>();
  const queries: DevCollection["queries"] = [];
  const relevant = new Map<string, string[]>();
  docs.forEach((d, i) => {
    const text = squash(scrub(d.text));
    if (words(text).length < 10) return;
    const id = `${name}-${String(i).padStart(5, "0")}`;
    out.push({ id, title: squash(scrub(d.title)), text });
    if (d.answers) relevant.set(d.answers, [...(relevant.get(d.answers) ?? []), id]);
  });
  questions.forEach((q, i) => {
    const ids = relevant.get(q);
    if (!ids?.length || contentWords(q).length < 2) return;
    const id = `${name}-q${String(i).padStart(3, "0")}`;
    queries.push({ id, text: q });
    qrels.set(id, new Map(ids.map((d) => [d, 1])));
  });
  return { name, source, docs: out, queries, qrels };
}

function htmlSections(dir: string, pages: string[], rewrite?: (page: string, html: string) => string): Section[] {
  const out: Section[] = [];
  for (const page of pages) {
    let html = readFileSync(join(dir, page), "utf8");
    if (rewrite) html = rewrite(page, html);
    for (const doc of parseHtml(page, new TextEncoder().encode(html)))
      for (const s of doc.sections) out.push({ page, title: s.title, text: s.text });
  }
  return out;
}

function faqCollection(spec: FaqSpec): DevCollection {
  const root = join(unpack(spec.pkg, spec.version), "root", spec.dir);
  const pages = readdirSync(root)
    .filter((f) => /\.html?$/.test(f) && !spec.skipPages?.test(f))
    .sort();
  const sections = htmlSections(root, pages, (page, html) => {
    const all = spec.rewriteAll ? spec.rewriteAll(html) : html;
    return spec.faqPages.test(page) && spec.rewrite ? spec.rewrite(all) : all;
  });
  return assemble(spec.name, `${spec.pkg} ${spec.version}`, sections, (s) => {
    if (!spec.faqPages.test(s.page)) return null;
    const heading = lastPart(s.title);
    return spec.question.test(heading) ? squash(heading.replace(spec.question, "")) : null;
  });
}

/**
 * Held-out section headings as questions: a deterministic share of sections whose heading is specific
 * (two or more content words, unique in the corpus) lose it from their title and become its answer.
 */
function headingCollection(name: string, source: string, sections: Section[], share: number): DevCollection {
  const count = new Map<string, number>();
  for (const s of sections)
    count.set(lastPart(s.title).toLowerCase(), (count.get(lastPart(s.title).toLowerCase()) ?? 0) + 1);
  return assemble(name, source, sections, (s) => {
    const h = lastPart(s.title).replace(/^[\d.]+\s+/, "");
    if (
      s.title.split(" › ").length < 2 ||
      contentWords(h).length < 2 ||
      count.get(lastPart(s.title).toLowerCase())! > 1
    )
      return null;
    return (hashString(s.title, 99) % 1000) / 1000 < share ? squash(h) : null;
  });
}

function postgresCollection(): DevCollection {
  const dir = join(ROOT, "examples/postgresql-docs");
  const pages = readdirSync(dir)
    .filter((f) => f.endsWith(".html"))
    .sort();
  return headingCollection("postgres", "examples/postgresql-docs (headings)", htmlSections(dir, pages), 0.2);
}

function debfaqHeadingCollection(): DevCollection {
  const { corpus } = loadDebfaq();
  return headingCollection(
    "debfaq-headings",
    "debfaq corpus (headings; never its questions)",
    corpus.map((d) => ({ page: d.id, title: d.title, text: d.text })),
    0.1,
  );
}

export const DEV_COLLECTIONS = [
  "sqlite",
  "git",
  "ffmpeg",
  "zsh",
  "fetchmail",
  "r",
  "postgres",
  "debfaq-headings",
] as const;

/** Build (or read from the cache) one development collection. */
export function loadDevCollection(name: string): DevCollection {
  const file = join(CACHE_DIR, "collections", `${name}.json`);
  if (existsSync(file)) {
    const c = JSON.parse(readFileSync(file, "utf8")) as Omit<DevCollection, "qrels"> & {
      qrels: Array<[string, Array<[string, number]>]>;
    };
    return { ...c, qrels: new Map(c.qrels.map(([q, ds]) => [q, new Map(ds)])) };
  }
  const spec = FAQ_SPECS.find((s) => s.name === name);
  const c = spec
    ? faqCollection(spec)
    : name === "postgres"
      ? postgresCollection()
      : name === "debfaq-headings"
        ? debfaqHeadingCollection()
        : null;
  if (!c) throw new Error(`unknown development collection "${name}" (known: ${DEV_COLLECTIONS.join(", ")})`);
  mkdirSync(join(CACHE_DIR, "collections"), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...c, qrels: [...c.qrels].map(([q, ds]) => [q, [...ds]]) }));
  return c;
}

/** A question's split: half of each collection's questions choose settings (validation), half report them (test). */
export const splitOf = (queryId: string): "validation" | "test" =>
  hashString(queryId, 7) % 2 === 0 ? "validation" : "test";
