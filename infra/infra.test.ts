import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GenqEvent } from "../packages/core/src/events.ts";
import { loadFunctionConfig, REQUIRED_ENVIRONMENT } from "../packages/functions/src/config.ts";
import { estimateIdleCost, idleCostTable } from "../stacks/costs.ts";
import { inferenceImage, processorOf, stageImages, trainingImage } from "../stacks/images.ts";
import { PRESETS, settingsFor } from "../stacks/presets.ts";
import { parseSettings } from "../stacks/settings.ts";
import { functionEnvironment, httpEnvironment } from "./environment.ts";
import { matchesPattern } from "./event-match.ts";
import {
  busSubscriberPattern,
  documentEventPattern,
  PIPELINE_EVENT_TYPES,
  pipelineEventPattern,
  publicEventPattern,
  rateExpression,
  sagemakerStateChangePattern,
} from "./event-patterns.ts";
import {
  bedrockInvokePolicy,
  deadLetterQueuePolicy,
  pipelineSageMakerPolicy,
  sagemakerExecutionPolicy,
  wildcardProblems,
} from "./policies.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(ROOT, "test/fixtures/events", name), "utf8")) as Record<string, unknown>;
const scope = { partition: "aws", region: "us-east-1", account: "123456789012", bucket: "genq-documents" };
const names = (stage: string) => ({
  bucket: "genq-documents",
  table: "genq",
  bus: "genq-bus",
  deadLetterQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/genq-dlq",
  openSearchEndpoint: "https://search-genq.us-east-1.es.amazonaws.com",
  openSearchUsername: "admin",
  openSearchPassword: "s3cret!",
  sagemakerRoleArn: "arn:aws:iam::123456789012:role/genq-sagemaker",
  queryGenerationModel: "genq-query-generation",
  sourceDir: "s3://genq-documents/code/sourcedir.tar.gz",
  images: stageImages("us-east-1", settingsFor(stage)),
});

describe("stage settings", () => {
  const dev = PRESETS.dev!;

  it("refuses an OpenSearch instance with the .search suffix SST's component appends itself", () => {
    // sst/sst platform/src/components/aws/open-search.ts: `instanceType: interpolate\`${instanceType}.search\``.
    expect(() => parseSettings({ ...dev, search: { ...dev.search, instance: "t3.small.search" } })).toThrow(
      /search.instance: drop the .search suffix/,
    );
    expect(() => parseSettings({ ...dev, search: { ...dev.search, instance: "t3" } })).toThrow(
      /search.instance: expected an OpenSearch instance type/,
    );
  });

  it("takes serverless memory only in 1 GB steps from 1024 to 6144 MB", () => {
    // SageMaker API reference, ProductionVariantServerlessConfig.MemorySizeInMB: 1024, 2048, 3072, 4096, 5120 or 6144.
    for (const memoryMb of [1024, 3072, 6144])
      expect(
        parseSettings({ ...dev, endpoint: { mode: "serverless", memoryMb, maxConcurrency: 5 } }).endpoint,
      ).toMatchObject({ memoryMb });
    for (const memoryMb of [512, 1500, 8192])
      expect(() => parseSettings({ ...dev, endpoint: { mode: "serverless", memoryMb, maxConcurrency: 5 } })).toThrow(
        /endpoint.memoryMb/,
      );
    expect(() =>
      parseSettings({
        ...dev,
        qaReader: {
          modelId: "deepset/roberta-base-squad2",
          endpoint: { mode: "serverless", memoryMb: 2500, maxConcurrency: 5 },
        },
      }),
    ).toThrow(/qaReader.endpoint.memoryMb: serverless memory comes in 1 GB steps/);
  });

  it("pairs every instance with an image it can run: no GPU paid for by a CPU image, no CPU for GPU-only training", () => {
    expect(() => parseSettings({ ...dev, embedding: { instanceType: "ml.g5.xlarge" } })).toThrow(
      /embedding.instanceType: .*CPU for this endpoint; a GPU instance would pay for an unused GPU/,
    );
    expect(() => parseSettings({ ...dev, training: { ...dev.training, instanceType: "ml.c6i.xlarge" } })).toThrow(
      /training.instanceType: the Hugging Face training containers are GPU only/,
    );
    const gpuEndpoint = parseSettings({
      ...dev,
      endpoint: { mode: "real-time", instanceType: "ml.g5.xlarge", instanceCount: 1 },
      embedding: { instanceType: "ml.g5.2xlarge" },
    });
    expect(stageImages("us-east-1", gpuEndpoint).inference).toContain("-gpu-");
  });

  it("names every problem at once, and gives unnamed stages dev's settings", () => {
    expect(() =>
      parseSettings({
        ...dev,
        training: { baseModel: "", instanceType: "g5", epochs: 0 },
        search: { instance: "t3.small", instanceCount: 3, volumeGb: 10 },
      }),
    ).toThrow(
      /training.baseModel[\s\S]*training.instanceType[\s\S]*training.epochs[\s\S]*search.instanceCount: a domain spread over two Availability Zones needs an even number/,
    );
    expect(settingsFor("alice")).toMatchObject({ stage: "alice", endpoint: { mode: "serverless" }, qaReader: null });
  });
});

describe("container images per region", () => {
  // aws/sagemaker-python-sdk sagemaker-core/src/sagemaker/core/image_uri_config/huggingface.json (registries,
  // container_version) and image_uris.py (URI template, `_processor`, `_format_tag`).
  it("resolves the images of the region deployed to, from that region's registry", () => {
    expect(trainingImage("us-east-1")).toBe(
      "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04",
    );
    expect(inferenceImage("eu-south-1", "cpu")).toBe(
      "692866216735.dkr.ecr.eu-south-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04",
    );
    expect(inferenceImage("ap-east-1", "gpu")).toBe(
      "871362719292.dkr.ecr.ap-east-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers4.49.0-gpu-py312-cu124-ubuntu22.04",
    );
    expect(() => stageImages("eu-central-2", PRESETS.dev!)).toThrow(
      /cannot deploy to region "eu-central-2": the Hugging Face SageMaker containers it uses are published for af-south-1, .*us-west-2/,
    );
  });

  it("decides cpu or gpu the way the SageMaker SDK does", () => {
    expect(
      ["ml.g5.xlarge", "ml.p4d.24xlarge", "ml.c6i.xlarge", "ml.m5.large", "ml.t3.medium"].map(processorOf),
    ).toEqual(["gpu", "gpu", "cpu", "cpu", "cpu"]);
    expect(() => processorOf("ml.inf2.xlarge")).toThrow(/Neuron instance/);
    expect(() => processorOf("g5.xlarge")).toThrow(/not a SageMaker instance type/);
  });

  it.each(Object.keys(PRESETS))("gives each job of %s an image for the processor of its instance", (stage) => {
    const s = settingsFor(stage);
    const images = stageImages("us-east-1", s);
    expect(images.queryGeneration).toContain(`-${processorOf(s.queryGeneration.instanceType)}-`);
    expect(images.inference).toContain(`-${processorOf(s.embedding.instanceType)}-`);
    if (s.endpoint.mode === "real-time")
      expect(images.inference).toContain(`-${processorOf(s.endpoint.instanceType)}-`);
  });
});

describe("function environment", () => {
  it.each(Object.keys(PRESETS))(
    "gives functions every variable their config requires, with the stage's sizing (%s)",
    (stage) => {
      const s = settingsFor(stage);
      const env = functionEnvironment(names(stage), s);
      for (const name of REQUIRED_ENVIRONMENT) if (name !== "AWS_REGION") expect(env, name).toHaveProperty(name);
      const config = loadFunctionConfig(env);
      expect(config.GENQ_EMBEDDING_INSTANCE).toBe(s.embedding.instanceType);
      expect(config.GENQ_OPENSEARCH_PASSWORD).toBe("s3cret!");
      if (s.endpoint.mode === "serverless")
        expect(config).toMatchObject({
          GENQ_ENDPOINT_MEMORY_MB: s.endpoint.memoryMb,
          GENQ_ENDPOINT_MAX_CONCURRENCY: s.endpoint.maxConcurrency,
        });
      else
        expect(config).toMatchObject({
          GENQ_ENDPOINT_INSTANCE: s.endpoint.instanceType,
          GENQ_ENDPOINT_INSTANCE_COUNT: s.endpoint.instanceCount,
        });
    },
  );

  it("names the extractive reader's endpoint for the HTTP function only when the stage has one", () => {
    const shared = functionEnvironment(names("dev"), settingsFor("dev"));
    expect(httpEnvironment(shared, null)).not.toHaveProperty("GENQ_QA_ENDPOINT");
    expect(loadFunctionConfig(httpEnvironment(shared, "genq-production-qa-reader")).GENQ_QA_ENDPOINT).toBe(
      "genq-production-qa-reader",
    );
  });

  it("wires Bedrock RAG only when a stage names a model, with InvokeModel on that model alone", () => {
    expect(functionEnvironment(names("dev"), settingsFor("dev"))).not.toHaveProperty("GENQ_BEDROCK_MODEL_ID");
    const withModel = parseSettings({ ...PRESETS.dev, rag: { bedrockModelId: "amazon.nova-lite-v1:0" } });
    const env = functionEnvironment(names("dev"), withModel);
    expect(env.GENQ_BEDROCK_MODEL_ID).toBe("amazon.nova-lite-v1:0");
    expect(loadFunctionConfig(env).GENQ_BEDROCK_MODEL_ID).toBe("amazon.nova-lite-v1:0");
    expect(() => parseSettings({ ...PRESETS.dev, rag: { bedrockModelId: "any model please" } })).toThrow(
      /rag.bedrockModelId/,
    );

    const model = bedrockInvokePolicy(scope, "amazon.nova-lite-v1:0");
    expect(model.Statement).toEqual([
      {
        Sid: "InvokeRagModel",
        Effect: "Allow",
        Action: ["bedrock:InvokeModel"],
        Resource: ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"],
      },
    ]);
    const profile = bedrockInvokePolicy(scope, "us.anthropic.claude-3-5-haiku-20241022-v1:0");
    expect(profile.Statement[0]!.Resource).toEqual([
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
    ]);
    expect(wildcardProblems(model)).toEqual([]);
    expect(wildcardProblems(profile)).toEqual([]);
  });
});

describe("IAM", () => {
  const execution = sagemakerExecutionPolicy({ ...scope, region: "eu-south-1", registryAccount: "692866216735" });
  const pipeline = pipelineSageMakerPolicy({
    ...scope,
    executionRoleArn: "arn:aws:iam::123456789012:role/genq-sagemaker",
  });
  const actions = (doc: typeof execution) => doc.Statement.flatMap((s) => s.Action);

  it("grants the SageMaker execution role what the developer guide lists for CreateTrainingJob", () => {
    // Amazon SageMaker developer guide, "CreateTrainingJob API: Execution Role Permissions" (sagemaker-roles.md).
    const documented = [
      "cloudwatch:PutMetricData",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:CreateLogGroup",
      "logs:DescribeLogStreams",
      "s3:GetObject",
      "s3:PutObject",
      "s3:ListBucket",
      "ecr:GetAuthorizationToken",
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
    ];
    expect(actions(execution)).toEqual(expect.arrayContaining(documented));
    expect(execution.Statement.find((s) => s.Sid === "PullDeepLearningImages")!.Resource).toEqual([
      "arn:aws:ecr:eu-south-1:692866216735:repository/huggingface-*",
    ]);
    expect(execution.Statement.find((s) => s.Sid === "ReadWriteCorpora")!.Resource).toEqual([
      "arn:aws:s3:::genq-documents/corpora/*",
      "arn:aws:s3:::genq-documents/code/*",
    ]);
  });

  it("lets the functions and the reconciler create, describe and stop only genq's jobs, and pass the role only to SageMaker", () => {
    expect(actions(pipeline)).toEqual(
      expect.arrayContaining([
        "sagemaker:DescribeTrainingJob",
        "sagemaker:DescribeTransformJob",
        "sagemaker:DescribeEndpoint",
        "sagemaker:StopTrainingJob",
      ]),
    );
    expect(pipeline.Statement[0]!.Resource.every((r) => r.endsWith("/genq-*"))).toBe(true);
    expect(pipeline.Statement.find((s) => s.Sid === "PassExecutionRole")!.Condition).toEqual({
      StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" },
    });
  });

  it("grants no wildcard action or resource where a narrower scope exists", () => {
    expect(wildcardProblems(execution)).toEqual([]);
    expect(wildcardProblems(pipeline)).toEqual([]);
    expect(
      wildcardProblems({
        Version: "2012-10-17",
        Statement: [{ Sid: "Bad", Effect: "Allow", Action: ["s3:*"], Resource: ["*"] }],
      }),
    ).toEqual(["Bad: action s3:*", "Bad: resource *"]);
  });

  it("lets EventBridge dead-letter into the queue only for genq's rules", () => {
    // EventBridge user guide, "Using dead-letter queues to process undelivered events" (eb-rule-dlq.html).
    const rules = ["arn:aws:events:us-east-1:123456789012:rule/a", "arn:aws:events:us-east-1:123456789012:rule/b"];
    expect(deadLetterQueuePolicy("arn:aws:sqs:us-east-1:123456789012:dlq", rules).Statement).toEqual([
      {
        Sid: "RuleDeadLetters",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["sqs:SendMessage"],
        Resource: ["arn:aws:sqs:us-east-1:123456789012:dlq"],
        Condition: { ArnEquals: { "aws:SourceArn": rules } },
      },
    ]);
    expect(() => deadLetterQueuePolicy("arn:aws:sqs:us-east-1:123456789012:dlq", [])).toThrow(/needs the rules/);
  });
});

describe("event rules against real event payloads", () => {
  const created = fixture("s3-eventbridge-object-created.json");
  const deleted = fixture("s3-eventbridge-object-deleted.json");
  const withKey = (e: Record<string, unknown>, key: string) => ({
    ...e,
    detail: { ...(e.detail as object), object: { ...(e.detail as { object: object }).object, key } },
  });
  const documents = documentEventPattern("genq-documents");

  it("sends documents created or deleted (delete markers too) under corpora/*/docs/ to ingest, and nothing else", () => {
    expect(matchesPattern(documents, created)).toBe(true);
    expect(matchesPattern(documents, deleted)).toBe(true);
    expect(matchesPattern(documents, withKey(created, "corpora/handbook/docs/a/b/c.pdf"))).toBe(true);
    for (const key of [
      "corpora/handbook/passages/3f2a.jsonl",
      "corpora/handbook/runs/run-1/model/model.tar.gz",
      "corpora/handbook/runs/run-1/transform-output/part-0.jsonl.out",
      "code/sourcedir.tar.gz",
      "docs/corpora/x",
    ]) {
      expect(matchesPattern(documents, withKey(created, key)), key).toBe(false);
    }
    expect(matchesPattern(documentEventPattern("someone-elses-bucket"), created)).toBe(false);
    expect(matchesPattern(documents, { ...created, "detail-type": "Object Restore Completed" })).toBe(false);
  });

  it("sends genq's SageMaker jobs and endpoints in final states to the SageMaker handler", () => {
    const pattern = sagemakerStateChangePattern();
    for (const name of [
      "sagemaker-training-completed.json",
      "sagemaker-training-failed.json",
      "sagemaker-transform-completed.json",
      "sagemaker-endpoint-in-service.json",
    ])
      expect(matchesPattern(pattern, fixture(name)), name).toBe(true);
    const training = fixture("sagemaker-training-completed.json");
    expect(
      matchesPattern(pattern, {
        ...training,
        detail: { ...(training.detail as object), TrainingJobStatus: "InProgress" },
      }),
    ).toBe(false);
    expect(
      matchesPattern(pattern, {
        ...training,
        detail: { ...(training.detail as object), TrainingJobName: "someone-else-train" },
      }),
    ).toBe(false);
  });

  it("sends genq's pipeline events, as its publisher sends them, to the pipeline handler, and keeps only the public ones for users", () => {
    // The publisher's PutEvents entries carry Source "genq" and DetailType = the event's type (packages/aws
    // eventbridge-publisher.ts); a rule matches the envelope's "source" and "detail-type" (EventBridge user
    // guide, "Event patterns"): run ends now reach the pipeline function, for the retraining policy.
    const published = (type: string) => ({ source: "genq", "detail-type": type, detail: { type } });
    const known = GenqEvent.options.map((o) => o.shape.type.value as string);
    expect(known).toEqual(expect.arrayContaining([...PIPELINE_EVENT_TYPES]));
    expect(matchesPattern(pipelineEventPattern(), published("index.built"))).toBe(true);
    expect(matchesPattern(pipelineEventPattern(), published("run.succeeded"))).toBe(true);
    expect(matchesPattern(pipelineEventPattern(), published("document.deleted"))).toBe(false);
    expect(matchesPattern(pipelineEventPattern(), { ...published("index.built"), source: "someone" })).toBe(false);
    expect(matchesPattern(publicEventPattern(), published("run.succeeded"))).toBe(true);
  });

  it("hands SST's bus subscriber the filter in the field it reads, and refuses fields it would drop", () => {
    // sst/sst platform/src/components/aws/bus-base-subscriber.ts, createRule: the rule's pattern is
    // {"detail-type": pattern.detailType, source: pattern.source, detail: pattern.detail}.
    const p = busSubscriberPattern(pipelineEventPattern());
    expect(JSON.parse(JSON.stringify({ "detail-type": p.detailType, source: p.source, detail: p.detail }))).toEqual(
      pipelineEventPattern(),
    );
    expect(() => busSubscriberPattern({ source: ["genq"], account: ["1"] })).toThrow(/would drop account/);
  });

  it("writes the reconciler's schedule as EventBridge rate expressions", () => {
    expect([1, 5, 60].map(rateExpression)).toEqual(["rate(1 minute)", "rate(5 minutes)", "rate(60 minutes)"]);
    expect(() => rateExpression(0)).toThrow(/whole number of minutes/);
  });
});

describe("idle cost", () => {
  it("prices every instance the presets use, and the README shows exactly what stacks/ estimates", () => {
    for (const s of Object.values(PRESETS)) expect(estimateIdleCost(s).unpriced, s.stage).toEqual([]);
    expect(estimateIdleCost(PRESETS.production!).totalUsdPerMonth).toBeGreaterThan(
      estimateIdleCost(PRESETS.dev!).totalUsdPerMonth,
    );
    expect(readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain(idleCostTable(Object.values(PRESETS)));
  });
});
