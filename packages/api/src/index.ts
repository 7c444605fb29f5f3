export * from "./app.ts";
export * from "./deps.ts";
export { PROBLEM_CONTENT_TYPE, problem } from "./errors.ts";
export type { MetricsSource } from "./metrics.ts";
export { MAX_API_KEY_CHARS, defaultMaxBodyBytes } from "./operations.ts";
export { parseOrigin, parseOrigins } from "./cors.ts";
export { DEFAULT_STREAM_TIMING, type StreamTiming } from "./routes/events.ts";
