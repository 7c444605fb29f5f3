/** Where progress goes: a stream with (maybe) a terminal behind it. */
export type ProgressStream = Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean; columns?: number };

/**
 * Progress for long work. On a terminal: one line rewritten in place (a bar, done/total and percent),
 * at most ten times a second, finished with a newline. Otherwise (logs, CI, pipes): a line at most every
 * `everyMs`, and a final line — never the same line twice.
 */
export function createProgress(label: string, total: number, out: ProgressStream = process.stdout, everyMs = 5000) {
  const tty = Boolean(out.isTTY);
  let done = 0;
  let lastAt = 0;
  let lastLine = "";
  const line = () => {
    if (!tty) return `${label} ${done}/${total}`;
    const pct = total ? Math.min(1, done / total) : 1;
    const width = 20;
    const bar = "█".repeat(Math.round(pct * width)).padEnd(width, "░");
    return `${label} ${bar} ${done}/${total} (${Math.round(pct * 100)}%)`;
  };
  const emit = (final: boolean) => {
    const text = line();
    if (text === lastLine && !(final && tty)) return;
    if (tty) out.write(`\r\x1b[2K${text}${final ? "\n" : ""}`);
    else out.write(`${text}\n`);
    lastLine = text;
    lastAt = Date.now();
  };
  return {
    tick(n = 1) {
      done += n;
      if (Date.now() - lastAt >= (tty ? 100 : everyMs)) emit(false);
    },
    end() {
      emit(true);
    },
  };
}

/** Training progress: a rewriting line on a terminal, a line per quarter otherwise. */
export function createTrainingProgress(out: ProgressStream = process.stdout) {
  let lastQuarter = -1;
  return (p: { fraction: number; loss: number }) => {
    const pct = Math.round(p.fraction * 100);
    if (out.isTTY) out.write(`\r\x1b[2K  training ${pct}% (loss ${p.loss.toFixed(3)})${pct >= 100 ? "\n" : ""}`);
    else if (Math.floor(pct / 25) > lastQuarter) {
      lastQuarter = Math.floor(pct / 25);
      out.write(`  training ${pct}% (loss ${p.loss.toFixed(3)})\n`);
    }
  };
}
