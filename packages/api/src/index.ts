export * from "./app.ts";
export * from "./deps.ts";
export { parseOrigin } from "./cors.ts";
export { DEFAULT_STREAM_TIMING, type StreamTiming } from "./routes/events.ts";
