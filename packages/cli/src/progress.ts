/**
 * Progress for long work: a rewriting line on a terminal, a line every few seconds otherwise (logs,
 * CI), always a final line.
 */
export function createProgress(label: string, total: number, out: NodeJS.WriteStream = process.stdout) {
  const tty = Boolean(out.isTTY);
  let last = 0;
  let done = 0;
  const line = () => `${label} ${done}/${total}`;
  return {
    tick(n = 1) {
      done += n;
      const now = Date.now();
      if (tty) {
        if (now - last > 100) {
          out.write(`\r${line()}`);
          last = now;
        }
      } else if (now - last > 2000) {
        out.write(`${line()}\n`);
        last = now;
      }
    },
    end() {
      out.write(tty ? `\r${line()}\n` : `${line()}\n`);
    },
  };
}
