/**
 * Does a search wait for background work? `genq serve` on a served corpus (the shipped examples by
 * default), searched over HTTP on loopback by a client in a process of its own (closed loop, one search
 * at a time, hybrid, k = 10), first while nothing else happens (idle) and then while a run of the same
 * corpus goes through every stage. Each search is counted in the stage the run was in when it was sent;
 * p50 / p99 per stage against idle. Once with the pipeline on a thread of its own (GENQ_PIPELINE=thread,
 * the default) and once on the serving thread (inline), one after the other in this one process run.
 * Run: npm run bench:search-during-run   (DOCS=<folder or corpus.jsonl>, IDLE_S=10, MODES=thread,inline)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTerminal } from "@genq/core";
import { createSqliteApiKeys } from "@genq/local";
import { loadConfig } from "../packages/cli/src/config.ts";
import { createLocalDeps } from "../packages/cli/src/local-deps.ts";
import { runPipeline } from "../packages/cli/src/run-command.ts";
import { serveLocal, type PipelineMode } from "../packages/cli/src/serve.ts";

const CORPUS = "bench";
const now = () => performance.timeOrigin + performance.now();
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN;

/** The client: searches `url` one after another until SIGTERM, then prints [sent at, ms] for each. */
async function client(url: string, key: string, queriesFile: string) {
  const queries = readFileSync(queriesFile, "utf8").split("\n").filter(Boolean);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const out: Array<[number, number]> = [];
  let running = true;
  process.on("SIGTERM", () => (running = false));
  for (let i = 0; running; i++) {
    const body = JSON.stringify({ query: queries[i % queries.length], k: 10 });
    const sent = now();
    await new Promise<void>((resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          agent,
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`search answered ${res.statusCode}`));
          res.resume();
          res.on("end", () => resolve());
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    out.push([sent, now() - sent]);
  }
  process.stdout.write(JSON.stringify(out));
  agent.destroy();
}

/** Run the client for as long as `during` takes; the searches it made, with when each was sent. */
async function searchWhile(url: string, key: string, queriesFile: string, during: () => Promise<unknown>) {
  const child = spawn(process.execPath, ["--import", "tsx", import.meta.filename, "--client", url, key, queriesFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let text = "";
  child.stdout.on("data", (d: Buffer) => (text += d.toString()));
  const ended = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise((r) => setTimeout(r, 1000)); // the client's start is not measured
  const from = now();
  await during();
  child.kill("SIGTERM");
  await ended;
  return (JSON.parse(text) as Array<[number, number]>).filter(([sent]) => sent >= from);
}

async function measure(mode: PipelineMode, data: string, queriesFile: string, idleSeconds: number) {
  const deps = createLocalDeps(
    loadConfig({ ...process.env, GENQ_LOG_LEVEL: "silent", GENQ_PIPELINE: mode }, { data, port: "0" }),
  );
  const key = createSqliteApiKeys(deps.db).create(deps.config.tenant);
  const server = await serveLocal(deps, 0, { pipeline: mode });
  const url = `http://127.0.0.1:${server.port}/v1/corpora/${CORPUS}/search`;
  // The serving thread's own pauses (a 5 ms timer that fires late), to tell them from waits elsewhere.
  const pauses: Array<[number, number]> = [];
  let tick = now();
  const watch = setInterval(() => {
    const t = now();
    pauses.push([t, t - tick - 5]);
    tick = t;
  }, 5);
  const idle = await searchWhile(url, key, queriesFile, () => new Promise((r) => setTimeout(r, idleSeconds * 1000)));
  const stages: Array<[number, string]> = [];
  let state = "";
  const during = await searchWhile(url, key, queriesFile, async () => {
    const { id } = (await (
      await fetch(`http://127.0.0.1:${server.port}/v1/corpora/${CORPUS}/runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
      })
    ).json()) as { id: string };
    for (;;) {
      const run = await deps.repo.getRun(id);
      if (run && run.state !== state) stages.push([now(), (state = run.state)]);
      if (run && isTerminal(run.state)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  clearInterval(watch);
  await server.stop();
  deps.close();
  const stageAt = (t: number) => stages.filter(([at]) => at <= t).at(-1)?.[1] ?? "starting";
  const byStage = new Map<string, number[]>([["idle", idle.map(([, ms]) => ms)]]);
  for (const [sent, ms] of during) {
    const s = stageAt(sent);
    byStage.set(s, [...(byStage.get(s) ?? []), ms]);
  }
  const longest = new Map<string, number>();
  for (const [t, ms] of pauses) {
    const s = t < stages[0]![0] ? "idle" : stageAt(t);
    longest.set(s, Math.max(longest.get(s) ?? 0, ms));
  }
  return { mode, outcome: state, byStage, longest };
}

if (process.argv[2] === "--client") {
  await client(process.argv[3]!, process.argv[4]!, process.argv[5]!);
} else {
  const data = mkdtempSync(join(tmpdir(), "genq-bench-during-"));
  const queriesFile = join(data, "queries.txt");
  const questions = readFileSync(join(import.meta.dirname, "qa/dev.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { question: string }).question);
  writeFileSync(queriesFile, questions.join("\n"));
  const setup = createLocalDeps(loadConfig({ ...process.env, GENQ_LOG_LEVEL: "silent" }, { data }));
  const first = await runPipeline(
    setup,
    { docs: process.env.DOCS ?? "examples/postgresql-docs", corpus: CORPUS, quiet: true },
    () => {},
  );
  setup.close();
  if (first.run.state !== "ready") throw new Error(`the first run ended ${first.run.state}`);
  const modes = (process.env.MODES ?? "thread,inline").split(",") as PipelineMode[];
  const idleSeconds = Number(process.env.IDLE_S ?? 10);
  console.log(
    "| pipeline | stage | searches | p50 (ms) | p99 (ms) | p99 vs idle p99 | longest pause of the serving thread (ms) |\n|---|---|---|---|---|---|---|",
  );
  for (const mode of modes) {
    const { byStage, outcome, longest } = await measure(mode, data, queriesFile, idleSeconds);
    const idleP99 = pct(byStage.get("idle")!, 99);
    for (const [stage, ms] of byStage)
      console.log(
        `| ${mode} | ${stage} | ${ms.length} | ${pct(ms, 50).toFixed(2)} | ${pct(ms, 99).toFixed(2)} | ${(pct(ms, 99) / idleP99).toFixed(2)}× | ${Math.max(0, longest.get(stage) ?? 0).toFixed(0)} |`,
      );
    console.log(`| ${mode} | (the run ended ${outcome}) | | | | | |`);
  }
  rmSync(data, { recursive: true, force: true });
}
