import { describe, expect, it } from "vitest";
import { loadFunctionConfig, REQUIRED_ENVIRONMENT } from "../packages/functions/src/config.ts";
import { PRESETS, settingsFor } from "../stacks/presets.ts";
import { parseSettings } from "../stacks/settings.ts";
import { functionEnvironment } from "./environment.ts";
import { pipelineEventPattern, sagemakerStateChangePattern } from "./event-patterns.ts";
import { bedrockInvokePolicy, pipelineSageMakerPolicy, sagemakerExecutionPolicy, wildcardProblems } from "./policies.ts";

const scope = { partition: "aws", region: "us-east-1", account: "123456789012", bucket: "genq-docs" };
const names = {
  region: "us-east-1", bucket: "genq-docs", table: "genq", bus: "genq-bus", deadLetterQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/genq-dlq",
  openSearchEndpoint: "https://search-genq.us-east-1.es.amazonaws.com", sagemakerRoleArn: "arn:aws:iam::123456789012:role/genq-sagemaker",
  queryGenerationModel: "genq-query-gen", sourceDir: "s3://genq-docs/code/sourcedir.tar.gz",
};

describe("infrastructure builders", () => {
  it.each(Object.keys(PRESETS))("gives functions every variable their config requires (%s)", (stage) => {
    const env = functionEnvironment(names, settingsFor(stage));
    for (const name of REQUIRED_ENVIRONMENT) if (name !== "AWS_REGION") expect(env, name).toHaveProperty(name);
    expect(() => loadFunctionConfig(env)).not.toThrow();
  });

  it("grants no wildcard action or resource where a narrower scope exists", () => {
    const execution = sagemakerExecutionPolicy(scope);
    const pipeline = pipelineSageMakerPolicy({ ...scope, executionRoleArn: names.sagemakerRoleArn });
    expect(wildcardProblems(execution)).toEqual([]);
    expect(wildcardProblems(pipeline)).toEqual([]);
    expect(wildcardProblems({ Version: "2012-10-17", Statement: [{ Sid: "Bad", Effect: "Allow", Action: ["s3:*"], Resource: ["*"] }] })).toEqual(["Bad: action s3:*", "Bad: resource *"]);
    expect(execution.Statement.find((s) => s.Sid === "ReadWriteCorpora")!.Resource).toEqual(["arn:aws:s3:::genq-docs/corpora/*", "arn:aws:s3:::genq-docs/code/*"]);
  });

  it("wires Bedrock RAG only when a stage names a model, with InvokeModel on that model alone", () => {
    expect(functionEnvironment(names, settingsFor("dev"))).not.toHaveProperty("GENQ_BEDROCK_MODEL_ID");
    const withModel = parseSettings({ ...PRESETS.dev, rag: { bedrockModelId: "amazon.nova-lite-v1:0" } });
    const env = functionEnvironment(names, withModel);
    expect(env.GENQ_BEDROCK_MODEL_ID).toBe("amazon.nova-lite-v1:0");
    expect(loadFunctionConfig(env).GENQ_BEDROCK_MODEL_ID).toBe("amazon.nova-lite-v1:0");
    expect(() => parseSettings({ ...PRESETS.dev, rag: { bedrockModelId: "any model please" } })).toThrow(/rag.bedrockModelId/);

    const model = bedrockInvokePolicy(scope, "amazon.nova-lite-v1:0");
    expect(model.Statement).toEqual([{ Sid: "InvokeRagModel", Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"] }]);
    const profile = bedrockInvokePolicy(scope, "us.anthropic.claude-3-5-haiku-20241022-v1:0");
    expect(profile.Statement[0]!.Resource).toEqual([
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
    ]);
    expect(wildcardProblems(model)).toEqual([]);
    expect(wildcardProblems(profile)).toEqual([]);
  });

  it("routes only genq's SageMaker jobs in final states, and genq's pipeline events", () => {
    const p = sagemakerStateChangePattern();
    expect(p.source).toEqual(["aws.sagemaker"]);
    for (const alt of p.detail.$or) expect(Object.values(alt)[0]).toEqual([{ prefix: "genq-" }]);
    expect(pipelineEventPattern()["detail-type"]).toEqual(expect.arrayContaining(["index.built", "evaluation.completed", "stage.failed"]));
  });

  it("refuses an invalid stage preset, naming each problem", () => {
    expect(() => parseSettings({ ...PRESETS.dev, training: { baseModel: "", instanceType: "g5", epochs: 0 } })).toThrow(/training.baseModel[\s\S]*training.instanceType[\s\S]*training.epochs/);
    expect(settingsFor("alice").stage).toBe("alice");
    expect(settingsFor("alice").endpoint.mode).toBe("serverless");
  });
});
