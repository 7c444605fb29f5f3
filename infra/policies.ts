/** IAM policy documents, built here so tests can check them (no wildcard where a narrower scope exists). */
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
  Principal?: { Service: string };
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface Scope {
  partition: string;
  region: string;
  account: string;
  bucket: string;
}

/**
 * Actions AWS authorises only on every resource ("*"): ECR's token call and CloudWatch's
 * PutMetricData have no resource types (IAM service authorization reference for Amazon ECR and
 * Amazon CloudWatch).
 */
export const UNSCOPABLE_ACTIONS = new Set(["ecr:GetAuthorizationToken", "cloudwatch:PutMetricData"]);

/**
 * The SageMaker execution role, as the SageMaker developer guide's "CreateTrainingJob API: Execution
 * Role Permissions" (and CreateModel's) scopes it: read and write only genq's prefixes in its bucket,
 * pull the Hugging Face containers from the region's registry account, write and describe SageMaker's
 * own log streams, publish metrics.
 */
export function sagemakerExecutionPolicy(s: Scope & { registryAccount: string }): PolicyDocument {
  const bucket = `arn:${s.partition}:s3:::${s.bucket}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadWriteCorpora",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
        Resource: [`${bucket}/corpora/*`, `${bucket}/code/*`],
      },
      { Sid: "ListCorpora", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket] },
      {
        Sid: "PullDeepLearningImages",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        Resource: [`arn:${s.partition}:ecr:${s.region}:${s.registryAccount}:repository/huggingface-*`],
      },
      { Sid: "EcrToken", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
      {
        Sid: "Logs",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [`arn:${s.partition}:logs:${s.region}:${s.account}:log-group:/aws/sagemaker/*`],
      },
      { Sid: "Metrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: ["*"] },
    ],
  };
}

/**
 * What the pipeline functions (and the reconciler, which re-issues their commands) may do in
 * SageMaker: create, describe, stop and delete genq's own jobs, models and endpoints (all named
 * genq-*), invoke them, and pass the execution role to SageMaker only.
 */
export function pipelineSageMakerPolicy(s: Scope & { executionRoleArn: string }): PolicyDocument {
  const arn = (type: string) => `arn:${s.partition}:sagemaker:${s.region}:${s.account}:${type}/genq-*`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GenqJobsAndEndpoints",
        Effect: "Allow",
        Action: [
          "sagemaker:CreateTrainingJob",
          "sagemaker:DescribeTrainingJob",
          "sagemaker:StopTrainingJob",
          "sagemaker:CreateTransformJob",
          "sagemaker:DescribeTransformJob",
          "sagemaker:StopTransformJob",
          "sagemaker:CreateModel",
          "sagemaker:DescribeModel",
          "sagemaker:DeleteModel",
          "sagemaker:CreateEndpointConfig",
          "sagemaker:DescribeEndpointConfig",
          "sagemaker:DeleteEndpointConfig",
          "sagemaker:CreateEndpoint",
          "sagemaker:DescribeEndpoint",
          "sagemaker:DeleteEndpoint",
          "sagemaker:InvokeEndpoint",
          "sagemaker:AddTags",
        ],
        Resource: [arn("training-job"), arn("transform-job"), arn("model"), arn("endpoint-config"), arn("endpoint")],
      },
      {
        Sid: "PassExecutionRole",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: [s.executionRoleArn],
        Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
      },
    ],
  };
}

/**
 * The dead-letter queue's resource policy: EventBridge may send to it only on behalf of genq's rules
 * (EventBridge user guide, "Using dead-letter queues to process undelivered events", eb-rule-dlq.html:
 * a target DLQ set through the API needs this policy, scoped with aws:SourceArn).
 */
export function deadLetterQueuePolicy(queueArn: string, ruleArns: string[]): PolicyDocument {
  if (ruleArns.length === 0) throw new Error("a dead-letter queue policy needs the rules it serves");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RuleDeadLetters",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["sqs:SendMessage"],
        Resource: [queueArn],
        Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
      },
    ],
  };
}

/**
 * What the HTTP function may do in Bedrock: invoke the one model the stage configures (Converse needs
 * bedrock:InvokeModel). A cross-region inference profile (id with a geography prefix such as "us.")
 * routes to its foundation model in several regions, so the model is allowed in any region beside the
 * profile itself, as Bedrock's inference-profile prerequisites require
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html).
 */
export function bedrockInvokePolicy(
  s: Pick<Scope, "partition" | "region" | "account">,
  modelId: string,
): PolicyDocument {
  const profile = /^(us|eu|apac|us-gov|ca|jp|au|global)\.(.+)$/.exec(modelId);
  const Resource = profile
    ? [
        `arn:${s.partition}:bedrock:${s.region}:${s.account}:inference-profile/${modelId}`,
        `arn:${s.partition}:bedrock:*::foundation-model/${profile[2]}`,
      ]
    : [`arn:${s.partition}:bedrock:${s.region}::foundation-model/${modelId}`];
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "InvokeRagModel", Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource }],
  };
}

/** Every statement with a bare "*" (action or resource) that is not on the unscopable list. */
export function wildcardProblems(doc: PolicyDocument): string[] {
  return doc.Statement.flatMap((st) => [
    ...st.Action.filter((a) => a === "*" || a.endsWith(":*")).map((a) => `${st.Sid}: action ${a}`),
    ...(st.Resource.includes("*") && !st.Action.every((a) => UNSCOPABLE_ACTIONS.has(a))
      ? [`${st.Sid}: resource *`]
      : []),
  ]);
}
