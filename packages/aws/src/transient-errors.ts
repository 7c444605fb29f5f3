import { isThrottlingError, isTransientError } from "@smithy/core/retry";
import { TransientError } from "@genq/core";

type Handler = (args: unknown) => Promise<unknown>;
interface Stack {
  add(middleware: (next: Handler) => Handler, options: { step: "initialize"; name: string }): void;
  identify(): string[];
}

const NAME = "genqTransientErrors";

/**
 * Whether an AWS SDK error is one a later attempt can cure: throttling, a 500/502/503/504, a timeout or
 * a dropped connection — the classification the SDK's own standard retry strategy uses
 * (@smithy/core retry: isThrottlingError, isTransientError).
 */
export const isRetryableAwsError = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  (isThrottlingError(error as never) || isTransientError(error as never));

/**
 * Make an AWS SDK client report what outlasted its own retries (see isRetryableAwsError) as core's
 * TransientError, the original as its cause, so the run engine retries the work instead of failing the
 * run's stage, and the HTTP API answers 503. Other errors pass unchanged. Marking a client twice is
 * harmless. Returns the client.
 */
export function markTransientErrors<C extends { middlewareStack: unknown }>(client: C): C {
  const stack = client.middlewareStack as Stack;
  if (stack.identify().some((entry) => entry.startsWith(`${NAME} `))) return client;
  // The initialize step runs before the retry middleware, so it sees each call's last error only.
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!isRetryableAwsError(error)) throw error;
        const e = error as Error;
        throw new TransientError(`${e.name}: ${e.message}`, { cause: error });
      }
    },
    { step: "initialize", name: NAME },
  );
  return client;
}
