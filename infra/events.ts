import type { StageSettings } from "../stacks/settings.ts";

/** genq's event bus, the dead-letter queue every function and rule shares, and an alarm on it. */
export function events(settings: StageSettings) {
  const bus = new sst.aws.Bus("Events");
  const deadLetters = new sst.aws.Queue("DeadLetters");
  new aws.cloudwatch.MetricAlarm("DeadLettersAlarm", {
    alarmDescription: `genq ${settings.stage}: events were dead-lettered (see the DeadLetters queue for each reason)`,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: deadLetters.nodes.queue.name },
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  });
  return { bus, deadLetters };
}
