/**
 * The web console's size and speed: the bundle a browser downloads (gzip, as served), and first paint on
 * loopback — `genq serve` over a small corpus, headless Chromium (Debian's), every load in a fresh
 * browser context (empty cache). Reports first contentful paint of the sign-in page, and for a signed-in
 * tab the time until the corpora table is on screen; median and p95 over RUNS loads (default 30).
 * Run: npm run bench:console
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const ROOT = join(import.meta.dirname, "..");
const GENQ = join(ROOT, "packages/cli/bin/genq.mjs");
const RUNS = Number(process.env.RUNS ?? 30);
const KEY = "bench-console-key";

execFileSync(process.execPath, [join(ROOT, "packages/console/build/build-console.mjs")], { stdio: "inherit" });
const sizes = JSON.parse(readFileSync(join(ROOT, "packages/console/dist/sizes.json"), "utf8")) as Record<
  string,
  { bytes: number; gzip: number }
>;
const consoleFiles = Object.entries(sizes).filter(([p]) => !p.startsWith("/docs"));
const total = consoleFiles.reduce((n, [, s]) => n + s.gzip, 0);
console.log("console bundle (as served, gzip):");
for (const [p, s] of consoleFiles)
  console.log(
    `  ${p.padEnd(34)} ${(s.bytes / 1024).toFixed(1).padStart(7)} kB  gzip ${(s.gzip / 1024).toFixed(1).padStart(6)} kB`,
  );
console.log(
  `  total ${(total / 1024).toFixed(1)} kB gzip (budget 150 kB); API reference (Swagger UI, loaded only on /docs): ${(
    Object.entries(sizes)
      .filter(([p]) => p.startsWith("/docs"))
      .reduce((n, [, s]) => n + s.gzip, 0) / 1024
  ).toFixed(0)} kB gzip`,
);

const data = mkdtempSync(join(tmpdir(), "genq-bench-console-"));
execFileSync(
  process.execPath,
  [GENQ, "ingest", join(ROOT, "test/fixtures/docs/good"), "--corpus", "docs", "--data", data],
  { env: { ...process.env, GENQ_LOG_LEVEL: "error" }, stdio: "ignore" },
);
const server = spawn(process.execPath, [GENQ, "serve", "--data", data], {
  env: { ...process.env, GENQ_PORT: "0", GENQ_API_KEY: KEY, GENQ_LOG_LEVEL: "error" },
  stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
const url = await new Promise<string>((resolve, reject) => {
  server.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    const m = /genq API on (http:\/\/\S+:\d+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  server.on("exit", (code) => reject(new Error(`genq serve exited ${code}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.GENQ_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const fcp: number[] = [];
const ready: number[] = [];
for (let i = 0; i < RUNS + 2; i++) {
  // A new context: no cache, no session.
  const signin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await signin.newPage();
  await page.goto(`${url}/`);
  await page.waitForSelector("#api-key");
  const paint = (await page.evaluate(
    "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1",
  )) as number;
  await signin.close();

  const signedIn = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await signedIn.addInitScript(`sessionStorage.setItem("genq.apiKey", ${JSON.stringify(KEY)})`);
  const tab = await signedIn.newPage();
  await tab.goto(`${url}/#/corpora`);
  await tab.waitForSelector("table tbody tr");
  const shown = (await tab.evaluate("performance.now()")) as number;
  await signedIn.close();
  // The first two loads warm the server up.
  if (i < 2) continue;
  fcp.push(paint);
  ready.push(shown);
}
await browser.close();
server.kill("SIGTERM");

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
console.log(`\nfirst paint on loopback, ${RUNS} cold loads each (ms since navigation start):`);
console.log(
  `  sign-in page, first contentful paint: median ${pct(fcp, 50).toFixed(0)}, p95 ${pct(fcp, 95).toFixed(0)}, max ${Math.max(...fcp).toFixed(0)}`,
);
console.log(
  `  signed in, corpora table on screen:   median ${pct(ready, 50).toFixed(0)}, p95 ${pct(ready, 95).toFixed(0)}, max ${Math.max(...ready).toFixed(0)}`,
);
