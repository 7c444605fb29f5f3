import type { StageImages } from "../stacks/images.ts";
import type { StageSettings } from "../stacks/settings.ts";
import {
  documentEventPattern,
  busSubscriberPattern,
  pipelineEventPattern,
  rateExpression,
  sagemakerStateChangePattern,
} from "./event-patterns.ts";
import type { FunctionFactory } from "./functions.ts";
import { deadLetterQueuePolicy, sagemakerExecutionPolicy } from "./policies.ts";

/** Retries for every rule target: EventBridge keeps trying for a day, then dead-letters the event. */
export const TARGET_RETRY = { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 24 * 3600 };

/** A SageMaker resource name for this stage: genq-<stage>-<suffix>, the stage trimmed so `room` characters stay free. */
export const sagemakerName = (stage: string, suffix: string, room = 0) =>
  `genq-${stage.slice(0, Math.max(1, 63 - room - suffix.length - 6))}-${suffix}`;

/**
 * The role SageMaker jobs, models and endpoints run as (least privilege: genq's bucket prefixes, the
 * region's Hugging Face registry, SageMaker's own logs and metrics).
 */
export function sagemakerRole(d: { bucket: sst.aws.Bucket; region: string; images: StageImages }) {
  const identity = aws.getCallerIdentityOutput();
  const partition = aws.getPartitionOutput();
  const role = new aws.iam.Role("SageMakerExecution", {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
  new aws.iam.RolePolicy("SageMakerExecutionPolicy", {
    role: role.id,
    policy: $resolve([partition.partition, identity.accountId, d.bucket.name]).apply(([p, account, bucket]) =>
      JSON.stringify(
        sagemakerExecutionPolicy({
          partition: p,
          account,
          region: d.region,
          bucket,
          registryAccount: d.images.registryAccount,
        }),
      ),
    ),
  });
  return { role };
}

interface Deps {
  settings: StageSettings;
  bucket: sst.aws.Bucket;
  bus: sst.aws.Bus;
  deadLetters: sst.aws.Queue;
  fn: FunctionFactory;
}

/**
 * The pipeline's triggers, each a rule with retries and the shared dead-letter queue: document events
 * from the bucket (default bus) → ingest; SageMaker's job and endpoint state changes (default bus) →
 * the SageMaker handler; genq's own stage events (genq's bus) → the pipeline handler; a schedule →
 * the reconciler, which re-issues what each run's state needs and asks SageMaker about lost events.
 * The dead-letter queue accepts messages from these rules only.
 */
export function pipeline(d: Deps) {
  const target = (name: string, rule: aws.cloudwatch.EventRule, fn: sst.aws.Function) => {
    new aws.cloudwatch.EventTarget(`${name}Target`, {
      rule: rule.name,
      arn: fn.arn,
      retryPolicy: TARGET_RETRY,
      deadLetterConfig: { arn: d.deadLetters.arn },
    });
    new aws.lambda.Permission(`${name}Invoke`, {
      action: "lambda:InvokeFunction",
      function: fn.name,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });
  };

  const ingest = d.fn("Ingest", "packages/functions/src/handlers/ingest.handler");
  const documentRule = new aws.cloudwatch.EventRule("DocumentEvents", {
    description: "Objects created or deleted under corpora/<corpus>/docs/ in genq's bucket",
    eventPattern: d.bucket.name.apply((bucket: string) => JSON.stringify(documentEventPattern(bucket))),
  });
  target("DocumentEvents", documentRule, ingest);

  const sagemakerFn = d.fn("SageMakerStateChange", "packages/functions/src/handlers/sagemaker.handler");
  const sagemakerRule = new aws.cloudwatch.EventRule("SageMakerStateChanges", {
    description: "genq's SageMaker jobs and endpoints reaching a final state",
    eventPattern: JSON.stringify(sagemakerStateChangePattern()),
  });
  target("SageMakerStateChanges", sagemakerRule, sagemakerFn);

  const stages = d.fn("PipelineEvents", "packages/functions/src/handlers/pipeline.handler");
  const subscriber = d.bus.subscribe("PipelineEventsSubscriber", stages.arn, {
    pattern: busSubscriberPattern(pipelineEventPattern()),
    transform: { target: { retryPolicy: TARGET_RETRY, deadLetterConfig: { arn: d.deadLetters.arn } } },
  });

  const reconcile = d.fn("Reconcile", "packages/functions/src/handlers/reconcile.handler");
  const schedule = new sst.aws.Cron("Reconciler", {
    function: reconcile.arn,
    schedule: rateExpression(d.settings.reconcileEveryMinutes),
    transform: { target: { retryPolicy: TARGET_RETRY, deadLetterConfig: { arn: d.deadLetters.arn } } },
  });

  // subscribe() returns an Output; lifting `.nodes` through it would resolve every getter of nodes,
  // including `function`, which throws for a subscriber given as an ARN: unwrap explicitly.
  const subscriberRuleArn = subscriber.apply((s: sst.aws.BusLambdaSubscriber) => s.nodes.rule.arn);
  const ruleArns = [documentRule.arn, sagemakerRule.arn, subscriberRuleArn, schedule.nodes.rule.arn];
  new aws.sqs.QueuePolicy("DeadLettersPolicy", {
    queueUrl: d.deadLetters.url,
    policy: $resolve([d.deadLetters.arn, ...ruleArns]).apply(([queue, ...rules]) =>
      JSON.stringify(deadLetterQueuePolicy(queue, rules)),
    ),
  });

  return {
    ingest,
    sagemakerFn,
    stages,
    reconcile,
    rules: { documentRule, sagemakerRule, subscriberRuleArn, schedule },
  };
}
