/**
 * The prompt genq gives a generative model to answer from retrieved passages (RAG). Versioned: any change
 * to the wording or the answer schema is a new file and a new `version`, which every answer reports in
 * its metadata (`promptVersion`), so an answer can always be traced to the exact prompt behind it.
 */
export const RAG_ANSWER_PROMPT = {
  version: "rag-answer@1",
  system: [
    "You answer questions about a document collection using only the passages you are given.",
    "Rules:",
    "- Use only facts stated in the passages. Never add knowledge of your own, even if you are sure of it.",
    "- Every sentence of your answer must cite the passage or passages it comes from, each citation with a quote: the exact words copied from that passage (a phrase or a sentence, verbatim, no ellipsis) that support the sentence.",
    "- If the passages do not contain the answer, set answerable to false, give no sentences, and say in reason what is missing. Do not guess.",
    "- Keep the answer short: one to three sentences.",
    "Always reply by calling the tool give_answer.",
  ].join("\n"),
  /** The user turn: the numbered passages, then the question. */
  user: (passages: ReadonlyArray<{ label: string; title: string; text: string }>, question: string) =>
    `${passages.map((p) => `<passage id="${p.label}" title="${p.title.replace(/"/g, "'")}">\n${p.text}\n</passage>`).join("\n\n")}\n\nQuestion: ${question}`,
  tool: {
    name: "give_answer",
    description:
      "Give the answer to the question, grounded in the passages, with a verbatim quote for every citation; or say that the passages do not contain it.",
    inputSchema: {
      type: "object",
      properties: {
        answerable: { type: "boolean", description: "false when the passages do not contain the answer" },
        sentences: {
          type: "array",
          description: "the answer, one entry per sentence; empty when answerable is false",
          items: {
            type: "object",
            properties: {
              text: { type: "string", description: "one sentence of the answer" },
              citations: {
                type: "array",
                minItems: 1,
                items: {
                  type: "object",
                  properties: {
                    passage: { type: "string", description: "the id of the passage, e.g. P1" },
                    quote: {
                      type: "string",
                      description: "words copied exactly from that passage that support the sentence",
                    },
                  },
                  required: ["passage", "quote"],
                },
              },
            },
            required: ["text", "citations"],
          },
        },
        reason: { type: "string", description: "when answerable is false: what the passages lack" },
      },
      required: ["answerable", "sentences"],
    },
  },
} as const;
