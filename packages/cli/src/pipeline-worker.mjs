// Worker entry: loads the TypeScript pipeline thread through tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("./pipeline-worker.ts");
