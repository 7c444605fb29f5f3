import { FUNCTION_MEMORY_MB } from "../stacks/costs.ts";
import type { StageSettings } from "../stacks/settings.ts";
import type { PolicyDocument } from "./policies.ts";

/** CloudWatch Logs retention as SST names it, the shortest that keeps a stage's days. */
export const retentionFor = (days: number) =>
  (days <= 7
    ? "1 week"
    : days <= 14
      ? "2 weeks"
      : days <= 30
        ? "1 month"
        : days <= 90
          ? "3 months"
          : "1 year") as "1 week";

/** A policy document as SST function permissions (conditions kept: SST passes them to the role's policy). */
export function toFunctionPermissions(doc: PolicyDocument) {
  return doc.Statement.map((st) => ({
    actions: st.Action,
    resources: st.Resource,
    ...(st.Condition
      ? {
          conditions: Object.entries(st.Condition).flatMap(([test, vars]) =>
            Object.entries(vars).map(([variable, values]) => ({ test, variable, values: [values].flat() })),
          ),
        }
      : {}),
  }));
}

export interface FunctionDeps {
  settings: StageSettings;
  environment: $util.Input<Record<string, $util.Input<string>>>;
  link: $util.Input<unknown>[];
  permissions: $util.Output<ReturnType<typeof toFunctionPermissions>>;
  deadLetters: sst.aws.Queue;
}

/** Only Lambda may assume a function's role. */
export const LAMBDA_TRUST_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/**
 * The factory every genq Lambda comes from: Node.js 22, 15 minutes, the stage's environment, links
 * (bucket, table, bus, queue, domain) and SageMaker permissions, log retention, a role only Lambda
 * can assume, and the shared dead-letter queue for asynchronous invocations that fail every retry.
 */
export function functionFactory(d: FunctionDeps) {
  /** One function; `options` replace the shared environment or permissions for a function that needs more (the HTTP API). */
  return (
    name: string,
    handler: string,
    options: { environment?: FunctionDeps["environment"]; permissions?: FunctionDeps["permissions"] } = {},
  ) =>
    new sst.aws.Function(name, {
      handler,
      runtime: "nodejs22.x",
      timeout: "15 minutes",
      memory: `${FUNCTION_MEMORY_MB} MB`,
      environment: options.environment ?? d.environment,
      link: d.link as sst.aws.FunctionArgs["link"],
      permissions: options.permissions ?? d.permissions,
      logging: { retention: retentionFor(d.settings.logRetentionDays) },
      transform: {
        function: { deadLetterConfig: { targetArn: d.deadLetters.arn } },
        // SST tests `!dev` on an Output (always false), so deployed roles also trust the account root,
        // which only `sst dev`'s live bridge needs (sst/sst platform/src/components/aws/function.ts, createRole).
        ...($dev ? {} : { role: { assumeRolePolicy: LAMBDA_TRUST_POLICY } }),
      },
    });
}
export type FunctionFactory = ReturnType<typeof functionFactory>;
