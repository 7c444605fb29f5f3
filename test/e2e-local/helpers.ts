import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const GENQ = join(ROOT, "packages/cli/bin/genq.mjs");
export const FIXTURES = join(ROOT, "test/fixtures/docs");

export const tempDir = (prefix = "genq-e2e-") => mkdtempSync(join(tmpdir(), prefix));

/** Copy a fixture folder somewhere writable (tests edit files). */
export function copyFixtures(name: "good" | "bad"): string {
  const dir = tempDir();
  cpSync(join(FIXTURES, name), dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

/** Run the real `genq` command and wait for it. */
export function genq(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [GENQ, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start `genq` in the background (for kill tests). */
export function genqAsync(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, [GENQ, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Poll `get` every 50 ms until it gives a value; fails naming `what` after `ms`. */
export async function until<T>(what: string, get: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
