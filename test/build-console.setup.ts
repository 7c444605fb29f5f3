import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

/** Vitest global setup: build the console from its sources first, so tests never meet a stale bundle (about a second). */
export default function buildConsole(): void {
  const root = resolve(import.meta.dirname, "..");
  execFileSync(process.execPath, [join(root, "packages/console/build/build-console.mjs")], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}
