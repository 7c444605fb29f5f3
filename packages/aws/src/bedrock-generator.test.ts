import { BedrockRuntimeClient, ConverseCommand, type ConverseCommandOutput } from "@aws-sdk/client-bedrock-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import type { Passage } from "@genq/core";
import { RAG_ANSWER_PROMPT } from "../../../prompts/rag-answer-v1.ts";
import { createBedrockGenerator, locateQuote } from "./bedrock-generator.ts";

const passage = (id: string, text: string): Passage => ({
  id,
  corpus: "examples",
  documentId: `${id}.html`,
  sourcePath: `${id}.html`,
  title: `Title ${id}`,
  text,
  ordinal: 0,
});
const dump = passage(
  "p-dump",
  "pg_dump dumps only a single database at a time.\nTo support convenient dumping of the entire contents of a database cluster, the pg_dumpall program is provided.",
);
const restore = passage("p-restore", "Non-text file dumps should be restored using the pg_restore utility.");

/**
 * Recorded Converse responses in the documented shape: `output.message.content[]` holding a `toolUse`
 * block `{toolUseId, name, input}`, `stopReason` "tool_use", `usage` {inputTokens, outputTokens,
 * totalTokens} and `metrics.latencyMs`. Sources: the Converse API reference, Response Syntax
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html), the tool-use
 * example response (https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html),
 * and the SDK's types (aws/aws-sdk-js-v3, clients/client-bedrock-runtime/src/models/models_0.ts:
 * ConverseResponse, ToolUseBlock, TokenUsage, ConverseMetrics).
 */
const toolReply = (input: unknown, extra: Partial<ConverseCommandOutput> = {}): ConverseCommandOutput => ({
  $metadata: { httpStatusCode: 200, requestId: "5ae2e3d9-6d4c-4b4e-9a0e-4d1b2c3a4f50" },
  output: {
    message: {
      role: "assistant",
      content: [
        { toolUse: { toolUseId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", name: "give_answer", input: input as never } },
      ],
    },
  },
  stopReason: "tool_use",
  usage: { inputTokens: 812, outputTokens: 96, totalTokens: 908 },
  metrics: { latencyMs: 1375 },
  ...extra,
});

function setup(...replies: ConverseCommandOutput[]) {
  const mock = mockClient(BedrockRuntimeClient);
  let chain = mock.on(ConverseCommand);
  for (const r of replies) chain = chain.resolvesOnce(r);
  const generator = createBedrockGenerator(new BedrockRuntimeClient({ region: "us-east-1" }), {
    modelId: "amazon.nova-lite-v1:0",
  });
  return { mock, generator };
}

describe("the Bedrock generator (Converse API)", () => {
  it("sends the versioned prompt with the passages and a forced answer tool, and keeps only citations whose quote the passage contains", async () => {
    const { mock, generator } = setup(
      toolReply({
        answerable: true,
        sentences: [
          {
            text: "Use pg_dumpall to dump a whole cluster.",
            citations: [
              { passage: "P1", quote: "the pg_dumpall program is provided" },
              { passage: "P2", quote: "pg_dumpall writes roles too" },
            ],
          },
          // Re-flowed across the line break and in another case: still the passage's words.
          {
            text: "pg_dump handles one database.",
            citations: [{ passage: "P1", quote: "PG_DUMP dumps only a single   database at a time. To support" }],
          },
          { text: "It is the best tool ever written.", citations: [{ passage: "P9", quote: "best tool" }] },
        ],
      }),
    );
    const result = await generator.answer("How do I dump a whole cluster?", [dump, restore]);

    const input = mock.commandCalls(ConverseCommand)[0]!.args[0].input;
    expect(input.modelId).toBe("amazon.nova-lite-v1:0");
    expect(input.system).toEqual([{ text: RAG_ANSWER_PROMPT.system }]);
    expect(input.inferenceConfig).toEqual({ maxTokens: 1024, temperature: 0 });
    expect(input.toolConfig?.toolChoice).toEqual({ any: {} });
    expect(input.toolConfig?.tools?.[0]?.toolSpec?.name).toBe("give_answer");
    const user = input.messages?.[0]?.content?.[0]?.text ?? "";
    expect(user).toContain(`<passage id="P1" title="Title p-dump">\n${dump.text}\n</passage>`);
    expect(user).toContain(`<passage id="P2" title="Title p-restore">`);
    expect(user.endsWith("Question: How do I dump a whole cluster?")).toBe(true);

    expect(result.noAnswer).toBe(false);
    expect(result.sentences.map((s) => s.text)).toEqual([
      "Use pg_dumpall to dump a whole cluster.",
      "pg_dump handles one database.",
    ]);
    const [first, second] = result.sentences;
    expect(first!.citations).toHaveLength(1);
    expect(dump.text.slice(first!.citations[0]!.start, first!.citations[0]!.end)).toBe(
      "the pg_dumpall program is provided",
    );
    expect(dump.text.slice(second!.citations[0]!.start, second!.citations[0]!.end)).toBe(
      "pg_dump dumps only a single database at a time.\nTo support",
    );
    expect(result.answer).toBe("Use pg_dumpall to dump a whole cluster. pg_dump handles one database.");
    expect(result.metadata).toEqual({
      model: "bedrock:amazon.nova-lite-v1:0",
      promptVersion: "rag-answer@1",
      latencyMs: 1375,
      usage: { inputTokens: 812, outputTokens: 96, totalTokens: 908 },
    });
  });

  it("says so when the model finds the answer missing from the passages, or cites nothing it can verify", async () => {
    const { generator } = setup(
      toolReply({
        answerable: false,
        sentences: [],
        reason: "The passages describe PostgreSQL backups, not the capital of France.",
      }),
      toolReply({
        answerable: true,
        sentences: [{ text: "Paris.", citations: [{ passage: "P1", quote: "Paris is the capital" }] }],
      }),
    );
    const missing = await generator.answer("What is the capital of France?", [dump]);
    expect(missing).toMatchObject({
      noAnswer: true,
      answer: "",
      sentences: [],
      reason: "The passages describe PostgreSQL backups, not the capital of France.",
    });
    expect(missing.metadata.usage?.totalTokens).toBe(908);
    const unverifiable = await generator.answer("What is the capital of France?", [dump]);
    expect(unverifiable).toMatchObject({
      noAnswer: true,
      sentences: [],
      reason: "no sentence of the model's answer could be traced to a passage",
    });
  });

  it("reads a model that answered in text instead of the tool, and abstains on what it cannot read or what a guardrail stopped", async () => {
    const { generator } = setup(
      {
        $metadata: { httpStatusCode: 200 },
        output: {
          message: {
            role: "assistant",
            content: [
              {
                text: `Here you go: {"answerable": true, "sentences": [{"text": "Restore custom dumps with pg_restore.", "citations": [{"passage": "P1", "quote": "restored using the pg_restore utility"}]}]}`,
              },
            ],
          },
        },
        stopReason: "end_turn",
        usage: { inputTokens: 300, outputTokens: 60, totalTokens: 360 },
        metrics: { latencyMs: 420 },
      },
      {
        $metadata: { httpStatusCode: 200 },
        output: { message: { role: "assistant", content: [{ text: "I think it is pg_restore." }] } },
        stopReason: "end_turn",
        usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
        metrics: { latencyMs: 5 },
      },
      {
        $metadata: { httpStatusCode: 200 },
        output: { message: { role: "assistant", content: [{ text: "Sorry, the model cannot answer." }] } },
        stopReason: "guardrail_intervened",
        usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
        metrics: { latencyMs: 5 },
      },
    );
    const text = await generator.answer("How are custom dumps restored?", [restore]);
    expect(text.noAnswer).toBe(false);
    expect(restore.text.slice(text.sentences[0]!.citations[0]!.start, text.sentences[0]!.citations[0]!.end)).toBe(
      "restored using the pg_restore utility",
    );
    expect(await generator.answer("How are custom dumps restored?", [restore])).toMatchObject({
      noAnswer: true,
      reason: expect.stringMatching(/could not be read/),
    });
    expect(await generator.answer("How are custom dumps restored?", [restore])).toMatchObject({
      noAnswer: true,
      reason: expect.stringMatching(/guardrail_intervened/),
    });
  });
});

describe("locateQuote", () => {
  it("finds a quote exactly, or across re-flowed white space and case, and nothing that is not there", () => {
    const text = "Indexes can have up to 32 columns,\nincluding INCLUDE columns.";
    expect(locateQuote(text, "up to 32 columns")).toEqual({ start: 17, end: 33 });
    const loose = locateQuote(text, "“32 COLUMNS, including”")!;
    expect(text.slice(loose.start, loose.end)).toBe("32 columns,\nincluding");
    expect(locateQuote(text, "64 columns")).toBeNull();
    expect(locateQuote(text, "  ")).toBeNull();
  });
});
