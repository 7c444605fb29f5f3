import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { GENQ, ROOT } from "../e2e-local/helpers.ts";

export const CHROMIUM = process.env.GENQ_CHROMIUM ?? "/usr/bin/chromium";
/** Where the browser tests leave their screenshots (ignored by git; CI keeps them as artifacts). */
export const SHOTS = join(ROOT, "test-results", "console");

/** `genq serve` in the background on a free port; resolves with its URL once it listens. */
export async function startServer(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; output(): string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [GENQ, "serve"], {
    env: { ...process.env, GENQ_PORT: "0", GENQ_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /genq API on (http:\/\/\S+:\d+)/.exec(out);
      if (!m) return;
      clearInterval(t);
      resolve(m[1]!);
    }, 50);
    void exited.then(() => (clearInterval(t), reject(new Error(`genq serve exited:\n${out}`))));
  });
  return {
    url,
    child,
    output: () => out,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Save a 1280×800 screenshot of what the page shows now. */
export async function shoot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * Accessibility basics with axe-core (github.com/dequelabs/axe-core): the WCAG 2.1 A and AA rules —
 * labels, names, contrast, landmarks, ARIA — over the page as it is now, shadow roots included.
 */
export async function axe(
  page: Page,
): Promise<Array<{ id: string; impact: string | null; help: string; targets: string[] }>> {
  // Evaluated over the debugging protocol: the page's Content-Security-Policy (rightly) refuses injected script tags.
  if (!(await page.evaluate("typeof axe !== 'undefined'")))
    await page.evaluate(readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8"));
  const violations = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }).then((r) => r.violations)",
  )) as AxeViolation[];
  return violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
  }));
}

/** The element that has the keyboard focus, described by its data-passage (or tag) — focus can sit in any frame of the page. */
export const focusedPassage = (page: Page) =>
  page.evaluate("document.activeElement?.getAttribute('data-passage') ?? document.activeElement?.tagName") as Promise<
    string | null
  >;
