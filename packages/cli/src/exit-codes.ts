/**
 * The `genq` command's exit codes (documented in `genq --help` and the README):
 * 0 done; 1 failed (a run failed, an error named on stderr); 2 usage (an unknown command or option, a
 * missing argument, an invalid setting); 3 a run the quality gate rejected (what served keeps serving);
 * 4 the data folder cannot be used (a damaged database, a read-only folder, a full disk: the message
 * names the file and what to do); 130 interrupted (Ctrl-C).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, rejected: 3, storage: 4, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0    done (for run: the run is ready)
  1    failed (for run: the run failed); the reason is on stderr
  2    usage: unknown command or option, missing argument, invalid setting
  3    run: the quality gate rejected the run (the serving index keeps serving)
  4    the data folder cannot be used (damaged database, read-only folder, full disk); see genq doctor
  130  interrupted (Ctrl-C); an unfinished run continues with the next genq run`;
