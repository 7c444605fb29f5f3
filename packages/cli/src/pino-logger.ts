import { pino, type DestinationStream } from "pino";
import type { Logger } from "@genq/core";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The core Logger port on pino: one JSON object per line on stderr (stdout stays for the command's own
 * output), with `time` as an ISO timestamp, `level` as its name, the constant message as `msg` and the
 * attributes as fields. Written synchronously, so the last lines before an exit are not lost.
 */
export function createPinoLogger(
  level: LogLevel,
  destination: DestinationStream = pino.destination({ fd: 2, sync: true }),
): Logger {
  const log = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return {
    debug: (message, attributes) => log.debug(attributes ?? {}, message),
    info: (message, attributes) => log.info(attributes ?? {}, message),
    warn: (message, attributes) => log.warn(attributes ?? {}, message),
    error: (message, attributes) => log.error(attributes ?? {}, message),
  };
}
