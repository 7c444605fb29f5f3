import type { StageImages } from "../stacks/images.ts";
import type { StageSettings } from "../stacks/settings.ts";
import { sagemakerName } from "./pipeline.ts";

/**
 * The optional extractive reader behind POST /qa: a Hugging Face question-answering model (the original
 * sample used deepset/roberta-base-squad2) served by the stock inference container, on a serverless or
 * real-time endpoint. Returns the endpoint's name, or null when the stage has no reader (the HTTP
 * function then uses the embedded one).
 */
export function qaReader(d: {
  settings: StageSettings;
  role: aws.iam.Role;
  images: StageImages;
}): $util.Output<string> | null {
  const reader = d.settings.qaReader;
  if (!reader) return null;
  const stage = d.settings.stage;
  const model = new aws.sagemaker.Model(
    "QaReaderModel",
    {
      name: sagemakerName(stage, "qa-reader"),
      executionRoleArn: d.role.arn,
      primaryContainer: {
        image: d.images.qaReader!,
        environment: { HF_MODEL_ID: reader.modelId, HF_TASK: "question-answering" },
      },
    },
    { deleteBeforeReplace: true },
  );
  const e = reader.endpoint;
  const config = new aws.sagemaker.EndpointConfiguration("QaReaderConfig", {
    namePrefix: `${sagemakerName(stage, "qa-reader", 27)}-`,
    productionVariants: [
      e.mode === "serverless"
        ? {
            variantName: "reader",
            modelName: model.name,
            serverlessConfig: { memorySizeInMb: e.memoryMb, maxConcurrency: e.maxConcurrency },
          }
        : {
            variantName: "reader",
            modelName: model.name,
            instanceType: e.instanceType,
            initialInstanceCount: e.instanceCount,
          },
    ],
  });
  const endpoint = new aws.sagemaker.Endpoint("QaReaderEndpoint", {
    name: sagemakerName(stage, "qa-reader"),
    endpointConfigName: config.name,
  });
  return endpoint.name;
}
