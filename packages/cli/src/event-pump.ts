import type { LocalDeps } from "./local-deps.ts";

/** A running delivery loop: `wake` ends its idle wait at once, `stop` ends it after the batch in hand. */
export interface EventPump {
  wake(): void;
  stop(): Promise<void>;
}

const IDLE_WAIT_MS = 200;

/**
 * Keep the pipeline moving: deliver the outbox's events to their handlers continuously (uploads get
 * chunked, runs progress) and run the reconciler at start and every `reconcileSeconds` (it re-issues
 * what a crash lost and fails runs past their stage's deadline). When nothing is pending it waits
 * `IDLE_WAIT_MS`, or until `wake`. `onIdle` runs after every pass that delivered nothing. Errors are
 * logged and the loop goes on. Resolves once the first reconciliation is done.
 */
export async function startEventPump(deps: LocalDeps, hooks: { onIdle?: () => void } = {}): Promise<EventPump> {
  let running = true;
  let wake: (() => void) | null = null;
  const reconcile = async () => {
    await deps.reconcile().catch((error: unknown) =>
      deps.logger.error("reconciling runs failed", {
        reason: error instanceof Error ? error.message : String(error),
      }),
    );
  };
  await reconcile();
  let nextReconcile = Date.now() + deps.config.reconcileSeconds * 1000;
  const loop = (async () => {
    while (running) {
      if (Date.now() >= nextReconcile) {
        await reconcile();
        nextReconcile = Date.now() + deps.config.reconcileSeconds * 1000;
      }
      const r = await deps.outbox.drain(deps.handle, { limit: 50 }).catch((error: unknown) => {
        deps.logger.error("event delivery loop failed", {
          reason: error instanceof Error ? error.message : String(error),
        });
        return { delivered: 0, retried: 0, deadLettered: 0 };
      });
      if (r.delivered + r.retried + r.deadLettered === 0) {
        hooks.onIdle?.();
        if (running) await new Promise<void>((res) => setTimeout((wake = res), IDLE_WAIT_MS));
        wake = null;
      }
    }
  })();
  return {
    wake: () => wake?.(),
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
