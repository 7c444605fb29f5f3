// Worker entry: loads the TypeScript training worker through tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("./training-worker.ts");
