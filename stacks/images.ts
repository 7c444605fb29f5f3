import type { StageSettings } from "./settings.ts";

/**
 * The Hugging Face deep-learning containers genq runs on SageMaker, resolved per region.
 *
 * Source: aws/sagemaker-python-sdk, `sagemaker-core/src/sagemaker/core/image_uri_config/huggingface.json`
 * (formerly `src/sagemaker/image_uri_config/huggingface.json`), and the URI and tag rules of
 * `sagemaker-core/src/sagemaker/core/image_uris.py` (`retrieve`, `_processor`, `_format_tag`):
 * `<registry>.dkr.ecr.<region>.amazonaws.com/<repository>:<pytorch>-transformers<version>-<processor>-<py>-<container>`.
 * A processor is "gpu" for instance families starting with g or p, "cpu" otherwise, and always "cpu" for
 * serverless inference. The training containers exist only for GPUs.
 */

export type Processor = "cpu" | "gpu";

/** Training: transformers 4.49.0 on PyTorch 2.5.1 (py311, CUDA 12.4) — the GPU-only training DLC. */
export const TRAINING_IMAGE = {
  repository: "huggingface-pytorch-training",
  pytorch: "2.5.1",
  transformers: "4.49.0",
  python: "py311",
  container: { gpu: "cu124-ubuntu22.04" },
} as const;

/** Inference (encoder endpoint, embedding transform, query generation, QA reader): transformers 4.49.0 on PyTorch 2.6.0 (py312). */
export const INFERENCE_IMAGE = {
  repository: "huggingface-pytorch-inference",
  pytorch: "2.6.0",
  transformers: "4.49.0",
  python: "py312",
  container: { gpu: "cu124-ubuntu22.04", cpu: "ubuntu22.04" },
} as const;

/**
 * The ECR registry account of the Hugging Face containers in each commercial region where both images
 * above are published (huggingface.json, `registries` of training 4.49.0/pytorch2.5.1 and inference
 * 4.49.0/pytorch2.6.0). China, GovCloud and ISO partitions are not supported.
 */
export const HUGGING_FACE_REGISTRIES: Readonly<Record<string, string>> = {
  "af-south-1": "626614931356",
  "ap-east-1": "871362719292",
  "ap-northeast-1": "763104351884",
  "ap-northeast-2": "763104351884",
  "ap-northeast-3": "364406365360",
  "ap-south-1": "763104351884",
  "ap-southeast-1": "763104351884",
  "ap-southeast-2": "763104351884",
  "ap-southeast-3": "907027046896",
  "ca-central-1": "763104351884",
  "ca-west-1": "204538143572",
  "eu-central-1": "763104351884",
  "eu-north-1": "763104351884",
  "eu-south-1": "692866216735",
  "eu-west-1": "763104351884",
  "eu-west-2": "763104351884",
  "eu-west-3": "763104351884",
  "il-central-1": "780543022126",
  "me-central-1": "914824155844",
  "me-south-1": "217643126080",
  "sa-east-1": "763104351884",
  "us-east-1": "763104351884",
  "us-east-2": "763104351884",
  "us-west-1": "763104351884",
  "us-west-2": "763104351884",
};

/** cpu or gpu for a SageMaker instance type (`ml.<family>.<size>`), as the SageMaker SDK decides it; an error names anything else. */
export function processorOf(instanceType: string): Processor {
  const family = /^ml\.([a-z0-9-]+)\.[a-z0-9]+$/.exec(instanceType)?.[1];
  if (!family)
    throw new Error(
      `"${instanceType}" is not a SageMaker instance type (expected ml.<family>.<size>, e.g. ml.c6i.xlarge)`,
    );
  if (/^(inf|trn)/.test(family))
    throw new Error(
      `"${instanceType}" is a Neuron instance: the Hugging Face PyTorch containers genq uses run on CPU (ml.c*, ml.m*) or GPU (ml.g*, ml.p*) instances`,
    );
  return family.startsWith("g") || family.startsWith("p") ? "gpu" : "cpu";
}

/** The registry account for a region; a clear error lists the supported regions for any other. */
export function registryFor(region: string): string {
  const account = HUGGING_FACE_REGISTRIES[region];
  if (!account) {
    throw new Error(
      `genq cannot deploy to region "${region}": the Hugging Face SageMaker containers it uses are published for ${Object.keys(HUGGING_FACE_REGISTRIES).join(", ")}`,
    );
  }
  return account;
}

/** The training image URI in a region (GPU only, as the training containers are). */
export function trainingImage(region: string): string {
  const t = TRAINING_IMAGE;
  return `${registryFor(region)}.dkr.ecr.${region}.amazonaws.com/${t.repository}:${t.pytorch}-transformers${t.transformers}-gpu-${t.python}-${t.container.gpu}`;
}

/** The inference image URI in a region for a processor. */
export function inferenceImage(region: string, processor: Processor): string {
  const i = INFERENCE_IMAGE;
  return `${registryFor(region)}.dkr.ecr.${region}.amazonaws.com/${i.repository}:${i.pytorch}-transformers${i.transformers}-${processor}-${i.python}-${i.container[processor]}`;
}

/** The processor an endpoint runs on: serverless inference is always CPU (image_uris.py `_processor`). */
export function endpointProcessor(e: { mode: "serverless" } | { mode: "real-time"; instanceType: string }): Processor {
  return e.mode === "serverless" ? "cpu" : processorOf(e.instanceType);
}

/** Every image a stage runs, for the region it deploys to. */
export interface StageImages {
  registryAccount: string;
  training: string;
  /** The tuned encoder: its endpoint and the embedding transform (one model, one processor). */
  inference: string;
  queryGeneration: string;
  qaReader: string | null;
}

/** Resolve a stage's images in a region: each image matches the processor of the instance it runs on. */
export function stageImages(region: string, s: StageSettings): StageImages {
  return {
    registryAccount: registryFor(region),
    training: trainingImage(region),
    inference: inferenceImage(region, endpointProcessor(s.endpoint)),
    queryGeneration: inferenceImage(region, processorOf(s.queryGeneration.instanceType)),
    qaReader: s.qaReader ? inferenceImage(region, endpointProcessor(s.qaReader.endpoint)) : null,
  };
}
