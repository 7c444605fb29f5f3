/** A sortable, readable run id: `run-20260101-120000-ab12`. */
export function randomRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const suffix = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, "0");
  return `run-${stamp}-${suffix}`;
}
