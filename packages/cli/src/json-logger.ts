import type { Logger } from "@genq/core";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

/** Logger port as JSON lines on stderr, so stdout stays for the command's own output. */
export function createJsonLogger(level: keyof typeof LEVELS, write = (line: string) => process.stderr.write(line)): Logger {
  const min = LEVELS[level];
  const log = (lvl: Exclude<keyof typeof LEVELS, "silent">) => (message: string, attributes?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, message, ...attributes })}\n`);
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
