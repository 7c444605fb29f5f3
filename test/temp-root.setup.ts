import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Every temporary file of a test run (data folders of hundreds of MB, buckets, databases) under one folder
 * that is removed when the run ends: the test processes and the `genq` processes they start inherit it
 * as TMPDIR.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "genq-tests-"));
  // Open to every user as /tmp is (sticky): some tests run `genq` as another user.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
