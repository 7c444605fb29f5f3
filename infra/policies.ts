/** IAM policy documents, built here so tests can check them (no wildcard where a narrower scope exists). */
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
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

/** Statements that AWS only supports on every resource: ECR's token call has no resource-level scope. */
export const UNSCOPABLE_ACTIONS = new Set(["ecr:GetAuthorizationToken"]);

/**
 * The SageMaker execution role: read and write only genq's prefix in its bucket, pull the Hugging Face
 * deep-learning images from AWS's ECR account, write only SageMaker's own log groups, publish metrics.
 */
export function sagemakerExecutionPolicy(s: Scope): PolicyDocument {
  const bucket = `arn:${s.partition}:s3:::${s.bucket}`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadWriteCorpora", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], Resource: [`${bucket}/corpora/*`, `${bucket}/code/*`] },
      { Sid: "ListCorpora", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket] },
      { Sid: "PullDeepLearningImages", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: [`arn:${s.partition}:ecr:${s.region}:763104351884:repository/huggingface-*`] },
      { Sid: "EcrToken", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
      { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`arn:${s.partition}:logs:${s.region}:${s.account}:log-group:/aws/sagemaker/*`] },
    ],
  };
}

/**
 * What the pipeline functions may do in SageMaker: create and inspect genq's own jobs, models and
 * endpoints (all named genq-*), invoke them, and pass the execution role to SageMaker.
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
          "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob",
          "sagemaker:CreateModel", "sagemaker:DeleteModel", "sagemaker:CreateEndpointConfig", "sagemaker:DeleteEndpointConfig",
          "sagemaker:CreateEndpoint", "sagemaker:DeleteEndpoint", "sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint", "sagemaker:AddTags",
        ],
        Resource: [arn("training-job"), arn("transform-job"), arn("model"), arn("endpoint-config"), arn("endpoint")],
      },
      { Sid: "PassExecutionRole", Effect: "Allow", Action: ["iam:PassRole"], Resource: [s.executionRoleArn] },
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
export function bedrockInvokePolicy(s: Pick<Scope, "partition" | "region" | "account">, modelId: string): PolicyDocument {
  const profile = /^(us|eu|apac|us-gov|ca|jp|au|global)\.(.+)$/.exec(modelId);
  const Resource = profile
    ? [`arn:${s.partition}:bedrock:${s.region}:${s.account}:inference-profile/${modelId}`, `arn:${s.partition}:bedrock:*::foundation-model/${profile[2]}`]
    : [`arn:${s.partition}:bedrock:${s.region}::foundation-model/${modelId}`];
  return { Version: "2012-10-17", Statement: [{ Sid: "InvokeRagModel", Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource }] };
}

/** Every statement with a bare "*" (action or resource) that is not on the unscopable list. */
export function wildcardProblems(doc: PolicyDocument): string[] {
  return doc.Statement.flatMap((st) => [
    ...st.Action.filter((a) => a === "*" || a.endsWith(":*")).map((a) => `${st.Sid}: action ${a}`),
    ...(st.Resource.includes("*") && !st.Action.every((a) => UNSCOPABLE_ACTIONS.has(a)) ? [`${st.Sid}: resource *`] : []),
  ]);
}
