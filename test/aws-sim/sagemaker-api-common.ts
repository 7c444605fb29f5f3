/** What the SageMaker simulator's parts share: the account, API errors, event envelopes, names. */
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

/** An error the SageMaker API answers with: `type` is the `__type` of the awsJson 1.1 error body. */
export class ApiError extends Error {
  constructor(
    readonly type: "ValidationException" | "ResourceInUse" | "ResourceNotFound" | "ResourceLimitExceeded",
    message: string,
  ) {
    super(message);
  }
}

/** An EventBridge envelope as SageMaker delivers its state changes (source "aws.sagemaker"). */
export interface SageMakerEvent {
  version: "0";
  id: string;
  "detail-type":
    "SageMaker Training Job State Change" | "SageMaker Transform Job State Change" | "SageMaker Endpoint State Change";
  source: "aws.sagemaker";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export const arn = (kind: string, name: string) =>
  `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${kind}/${name.toLowerCase()}`;
// CreateTrainingJob / CreateTransformJob / CreateModel / CreateEndpoint(Config) name pattern (SageMaker API reference).
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const checkName = (field: string, name: string | undefined) => {
  if (!name || !NAME.test(name))
    throw new ApiError(
      "ValidationException",
      `1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`,
    );
  return name;
};
export const tagMap = (tags: Array<{ Key?: string; Value?: string }> | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key!, t.Value ?? ""]));
export const seconds = (d: Date) => d.getTime() / 1000;
