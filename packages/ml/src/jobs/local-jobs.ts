/**
 * Tracks the background jobs of the local runtime (the stand-in for SageMaker jobs), so a process can
 * wait until every job it started has reported back before it exits.
 */
export interface LocalJobs {
  run(jobId: string, work: () => Promise<void>): void;
  isRunning(jobId: string): boolean;
  idle(): Promise<void>;
  readonly active: number;
}

export function createLocalJobs(onError: (jobId: string, error: unknown) => void): LocalJobs {
  const running = new Map<string, Promise<void>>();
  return {
    run(jobId, work) {
      if (running.has(jobId)) return;
      const p = Promise.resolve()
        .then(work)
        .catch((error) => onError(jobId, error))
        .finally(() => running.delete(jobId));
      running.set(jobId, p);
    },
    isRunning: (jobId) => running.has(jobId),
    async idle() {
      while (running.size) await Promise.all([...running.values()]);
    },
    get active() {
      return running.size;
    },
  };
}
