import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitFor(url: string, child: ChildProcess, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`emulator at ${url} did not start in ${seconds} s`);
}

export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

const stopper = (child: ChildProcess) => () =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

/** s3rver (the S3 wire protocol on a folder), in its own Node process with the legacy OpenSSL provider it needs. */
export async function startS3rver(bucket: string): Promise<Emulator> {
  const port = await freePort();
  const bin = join(dirname(require.resolve("s3rver/package.json")), "bin/s3rver.js");
  const child = spawn(
    process.execPath,
    [
      "--openssl-legacy-provider",
      bin,
      "-d",
      mkdtempSync(join(tmpdir(), "s3rver-")),
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "--silent",
      "--configure-bucket",
      bucket,
    ],
    { stdio: "ignore" },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(endpoint, child, 30);
  return { endpoint, stop: stopper(child) };
}

/** DynamoDB Local (the jar shipped in amplify-dynamodb-simulator) on the machine's Java, in memory. */
export async function startDynamoDbLocal(): Promise<Emulator> {
  const port = await freePort();
  const dir = join(dirname(require.resolve("amplify-dynamodb-simulator/package.json")), "emulator");
  const child = spawn(
    "java",
    [
      `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
      "-jar",
      join(dir, "DynamoDBLocal.jar"),
      "-inMemory",
      "-port",
      String(port),
    ],
    { cwd: dir, stdio: "ignore" },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(endpoint, child, 60);
  return { endpoint, stop: stopper(child) };
}
