import {
  ConverseCommand,
  type BedrockRuntimeClient,
  type ContentBlock,
  type ConverseCommandOutput,
  type ToolInputSchema,
} from "@aws-sdk/client-bedrock-runtime";
import type { Citation, GeneratedAnswer, Generator, Passage } from "@genq/core";
import { z } from "zod";
import { RAG_ANSWER_PROMPT } from "../../../prompts/rag-answer-v1.ts";

/** The answer tool's JSON schema as the Converse API takes it: a plain JSON document (the prompt file keeps it as a constant). */
const TOOL_SCHEMA: ToolInputSchema.JsonMember["json"] = JSON.parse(JSON.stringify(RAG_ANSWER_PROMPT.tool.inputSchema));

export interface BedrockGeneratorOptions {
  /** A Bedrock model or inference-profile id that supports tool use, e.g. "amazon.nova-lite-v1:0". */
  modelId: string;
  maxTokens?: number;
}

/** What the model must send through the answer tool (the prompt's input schema, checked on arrival). */
const ToolAnswer = z.object({
  answerable: z.boolean(),
  sentences: z
    .array(z.object({ text: z.string(), citations: z.array(z.object({ passage: z.string(), quote: z.string() })) }))
    .default([]),
  reason: z.string().optional(),
});

/**
 * Where `quote` occurs in `text`: exactly, or else ignoring case and runs of white space (models
 * re-flow lines). Returns offsets into `text`, or null when the passage does not say it.
 */
export function locateQuote(text: string, quote: string): { start: number; end: number } | null {
  const q = quote
    .trim()
    .replace(/^["“']|["”']$/g, "")
    .trim();
  if (!q) return null;
  const exact = text.indexOf(q);
  if (exact >= 0) return { start: exact, end: exact + q.length };
  const index: number[] = [];
  let flat = "";
  for (let i = 0; i < text.length; i++) {
    const space = /\s/.test(text[i]!);
    if (space && flat.endsWith(" ")) continue;
    flat += space ? " " : text[i]!.toLowerCase();
    index.push(i);
  }
  const needle = q.replace(/\s+/g, " ").toLowerCase();
  const at = flat.indexOf(needle);
  if (at < 0) return null;
  return { start: index[at]!, end: index[at + needle.length - 1]! + 1 };
}

/** The tool call (or, from a model that answered in text, the JSON object in its text). */
function toolInput(content: readonly ContentBlock[]): unknown {
  for (const block of content) if (block.toolUse?.name === RAG_ANSWER_PROMPT.tool.name) return block.toolUse.input;
  const text = content.map((b) => b.text ?? "").join("");
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (!json) return null;
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/**
 * Generator on Amazon Bedrock through the Converse API: the retrieved passages go to the model with
 * the versioned prompt (prompts/rag-answer-v1.ts), and the model must answer through a tool whose
 * schema asks, for every sentence, the passages it comes from with a verbatim quote. genq keeps only
 * citations whose quote it finds in the cited passage (turned into character spans) and only sentences
 * left with a citation; the model's "not answerable", or nothing verifiable, is an abstention. Token
 * usage and latency come from the Converse response.
 */
export function createBedrockGenerator(client: BedrockRuntimeClient, options: BedrockGeneratorOptions): Generator {
  return {
    async answer(question, passages: readonly Passage[]): Promise<GeneratedAnswer> {
      const t0 = performance.now();
      const labelled = passages.map((p, i) => ({ label: `P${i + 1}`, title: p.title, text: p.text, passage: p }));
      const out: ConverseCommandOutput = await client.send(
        new ConverseCommand({
          modelId: options.modelId,
          system: [{ text: RAG_ANSWER_PROMPT.system }],
          messages: [{ role: "user", content: [{ text: RAG_ANSWER_PROMPT.user(labelled, question) }] }],
          inferenceConfig: { maxTokens: options.maxTokens ?? 1024, temperature: 0 },
          toolConfig: {
            tools: [
              {
                toolSpec: {
                  name: RAG_ANSWER_PROMPT.tool.name,
                  description: RAG_ANSWER_PROMPT.tool.description,
                  inputSchema: { json: TOOL_SCHEMA },
                },
              },
            ],
            toolChoice: { any: {} },
          },
        }),
      );
      const metadata = {
        model: `bedrock:${options.modelId}`,
        promptVersion: RAG_ANSWER_PROMPT.version,
        latencyMs: out.metrics?.latencyMs ?? Math.round(performance.now() - t0),
        ...(out.usage
          ? {
              usage: {
                inputTokens: out.usage.inputTokens ?? 0,
                outputTokens: out.usage.outputTokens ?? 0,
                totalTokens: out.usage.totalTokens ?? 0,
              },
            }
          : {}),
      };
      const abstain = (reason: string): GeneratedAnswer => ({
        answer: "",
        sentences: [],
        noAnswer: true,
        reason,
        metadata,
      });
      if (out.stopReason === "guardrail_intervened" || out.stopReason === "content_filtered")
        return abstain(`the model declined to answer (${out.stopReason})`);
      const parsed = ToolAnswer.safeParse(toolInput(out.output?.message?.content ?? []));
      if (!parsed.success)
        return abstain(`the model's answer could not be read (stop reason ${out.stopReason ?? "unknown"})`);
      if (!parsed.data.answerable)
        return abstain(parsed.data.reason?.trim() || "the retrieved passages do not contain the answer");
      const byLabel = new Map(labelled.map((l) => [l.label, l.passage]));
      const byId = new Map(passages.map((p) => [p.id, p]));
      const sentences = parsed.data.sentences.flatMap((s) => {
        const citations: Citation[] = s.citations.flatMap((c) => {
          const passage = byLabel.get(c.passage.trim()) ?? byId.get(c.passage.trim());
          const span = passage ? locateQuote(passage.text, c.quote) : null;
          return passage && span ? [{ passageId: passage.id, ...span }] : [];
        });
        return citations.length && s.text.trim() ? [{ text: s.text.trim(), citations }] : [];
      });
      if (!sentences.length) return abstain("no sentence of the model's answer could be traced to a passage");
      return { answer: sentences.map((s) => s.text).join(" "), sentences, noAnswer: false, metadata };
    },
  };
}
