#!/usr/bin/env node
// `npm run keys:aws -- …`: API keys of a deployed stage, through the DynamoDB adapter (TypeScript loaded by tsx).
import { register } from "tsx/esm/api";

register();
const { keysCommand, stageKeyStore } = await import("../src/keys-command.ts");
try {
  process.exitCode = await keysCommand(process.argv.slice(2), stageKeyStore(process.env), (line) => console.log(line));
} catch (error) {
  console.error(`genq-keys: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
