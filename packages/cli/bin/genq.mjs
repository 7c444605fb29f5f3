#!/usr/bin/env node
// The `genq` command: loads the TypeScript sources through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
const code = await main(process.argv.slice(2));
// Exit once the output is flushed: a background job (a training worker thread) must not keep a finished command alive.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
