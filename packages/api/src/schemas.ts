import { z } from "@hono/zod-openapi";
import { SEARCH_LIMITS, SEARCH_MODES } from "@genq/core";

export const CorpusParam = z.object({
  corpus: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be 1-63 lower-case letters, digits or '-'")
    .openapi({ param: { name: "corpus", in: "path" }, example: "examples" }),
});
export const RunParam = z.object({
  run: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "run", in: "path" } }),
});

const MetadataValues = z.union([z.string().min(1).max(1000), z.array(z.string().min(1).max(1000)).min(1).max(100)]);
const MetadataKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, "metadata keys are 1-64 lower-case letters, digits, '_', '.', ':' or '-'");

export const Filter = z
  .object({
    sourcePath: z.string().max(1000).optional(),
    sourcePathPrefix: z.string().min(1).max(1000).optional().openapi({
      description: "passages of documents whose path starts with this, e.g. a folder `guides/`",
      example: "guides/",
    }),
    documentId: z.string().max(1000).optional(),
    metadata: z
      .record(MetadataKey, MetadataValues)
      .optional()
      .openapi({
        description: "every key must match; a list matches any of its values",
        example: { team: "ops", tags: ["backup", "wal"] },
      }),
  })
  .strict()
  .openapi("Filter");

export const MetadataSchema = z
  .record(z.string(), z.union([z.string(), z.array(z.string())]))
  .openapi("Metadata", { description: "the document's key/value metadata" });

const query = z.string().min(1).max(SEARCH_LIMITS.maxQueryChars);
export const SearchRequest = z
  .object({
    query: query.openapi({ example: "how do I create an index?" }),
    k: z.number().int().min(1).max(SEARCH_LIMITS.maxK).default(10),
    mode: z
      .enum(SEARCH_MODES)
      .optional()
      .openapi({ description: "omit to search the way the corpus serves (the setup its last promoted run chose)" }),
    filter: Filter.optional(),
  })
  .strict()
  .openapi("SearchRequest");

export const PassageSchema = z
  .object({
    id: z.string(),
    corpus: z.string(),
    documentId: z.string(),
    sourcePath: z.string(),
    title: z.string(),
    text: z.string(),
    ordinal: z.number(),
    metadata: MetadataSchema.optional(),
  })
  .openapi("Passage");

export const SearchResponse = z
  .object({
    mode: z.enum(SEARCH_MODES),
    hits: z.array(
      z.object({
        id: z.string(),
        documentId: z.string(),
        sourcePath: z.string(),
        title: z.string(),
        text: z.string(),
        score: z.number(),
        scores: z.object({
          lexical: z.number().optional(),
          semantic: z.number().optional(),
          sparse: z.number().optional(),
        }),
        highlights: z.array(z.string()),
        metadata: MetadataSchema.optional(),
      }),
    ),
  })
  .openapi("SearchResponse");

export const QaRequest = z
  .object({
    question: query,
    k: z.number().int().min(1).max(20).default(3),
    passages: z.number().int().min(1).max(50).default(5),
    mode: z.enum(SEARCH_MODES).default("hybrid"),
    filter: Filter.optional(),
  })
  .strict()
  .openapi("QaRequest");

export const AnswerMetadataSchema = z
  .object({
    model: z
      .string()
      .openapi({ description: "the reader or model that answered", example: "genq-extractive-reader@2" }),
    promptVersion: z.string().optional().openapi({ description: "the versioned prompt a generative model was given" }),
    latencyMs: z.number().openapi({ description: "time the reader or model took, in milliseconds" }),
    usage: z
      .object({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number() })
      .optional()
      .openapi({ description: "tokens a hosted model read and wrote" }),
    questionType: z.string().optional().openapi({
      description:
        "the kind of answer the question asks for (person, time, number, code, definition, reason, method, place, condition, entity)",
    }),
    threshold: z.number().optional().openapi({ description: "scores below this mean no answer" }),
  })
  .openapi("AnswerMetadata");

const QaAnswerSchema = z.object({
  text: z.string(),
  score: z.number().min(0).max(1).openapi({
    description:
      "confidence in [0, 1]; for the embedded reader a calibrated probability that the span contains a right answer",
  }),
  start: z.number().openapi({ description: "offset of the answer in passage.text" }),
  end: z.number(),
  passage: PassageSchema,
});

export const QaResponse = z
  .object({
    noAnswer: z.boolean().openapi({
      description:
        "true when no span scored at least the threshold: the corpus most likely does not answer the question",
    }),
    answers: z
      .array(QaAnswerSchema)
      .openapi({ description: "answer spans at or above the threshold, best first; empty when noAnswer" }),
    bestGuess: QaAnswerSchema.nullable().openapi({
      description: "when noAnswer, the best span that fell short (not an answer); otherwise null",
    }),
    metadata: AnswerMetadataSchema,
  })
  .openapi("QaResponse");

export const AnswerRequest = z
  .object({
    question: query,
    passages: z.number().int().min(1).max(20).default(5),
    mode: z.enum(SEARCH_MODES).default("hybrid"),
    filter: Filter.optional(),
  })
  .strict()
  .openapi("AnswerRequest");

export const AnswerResponse = z
  .object({
    answer: z.string().openapi({ description: "the answer, its sentences joined; empty when noAnswer" }),
    sentences: z.array(
      z.object({
        text: z.string(),
        citations: z.array(z.object({ passageId: z.string(), start: z.number(), end: z.number() })).min(1),
      }),
    ),
    noAnswer: z.boolean().openapi({ description: "true when the retrieved passages do not contain the answer" }),
    reason: z.string().optional().openapi({ description: "why there is no answer" }),
    score: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .openapi({ description: "confidence in [0, 1] where the generator has one" }),
    metadata: AnswerMetadataSchema,
    passages: z.array(PassageSchema),
  })
  .openapi("AnswerResponse");

export const UploadRequest = z
  .object({
    path: z.string().min(1).max(1000).openapi({ example: "guides/intro.md" }),
    content: z.string(),
    encoding: z.enum(["utf8", "base64"]).default("utf8"),
    metadata: z
      .record(MetadataKey, MetadataValues)
      .optional()
      .openapi({
        description: "key/value metadata of the document (over what its header declares); searches filter on it",
        example: { team: "ops" },
      }),
  })
  .strict()
  .openapi("UploadRequest");

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .openapi({ param: { name: "limit", in: "query" } }),
  cursor: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "the `next` of the previous page" }),
});

/** What every error answers (RFC 9457 problem details; see errors.ts), as the OpenAPI document states it. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:genq:problem:not_found" }),
    title: z.string().openapi({ example: "Not found" }),
    status: z.number().int(),
    detail: z.string().openapi({ example: 'corpus "docs" not found' }),
    code: z.string().openapi({ description: "the field to switch on", example: "not_found" }),
    instance: z.string().optional().openapi({ description: "the request path" }),
    requestId: z.string().optional().openapi({ description: "the request's X-Request-Id" }),
    error: z
      .object({ code: z.string(), message: z.string() })
      .openapi({ description: "code and detail again, for clients of the earlier error shape" }),
  })
  .openapi("Problem");

/** A response that is a problem document (Content-Type application/problem+json). */
export const problemContent = { "application/problem+json": { schema: ProblemSchema } } as const;
export const problemOf = (description: string) => ({ description, content: problemContent });

export const RunSchema = z
  .object({
    id: z.string(),
    corpus: z.string(),
    state: z.string(),
    reason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    artifacts: z.record(z.string(), z.string()),
    history: z.array(z.object({ at: z.string(), from: z.string(), to: z.string(), event: z.string() })),
  })
  .openapi("Run");

export const errors = {
  400: problemOf("invalid request"),
  401: problemOf("missing or wrong API key"),
  404: problemOf("unknown corpus or run (or another tenant's)"),
  409: problemOf("not possible in the current state"),
} as const;

/** The statuses a stored document can be refused with besides the common ones. */
export const documentErrors = {
  413: problemOf("the body or the document is over its size limit"),
  415: problemOf("a file type genq does not read"),
  507: problemOf("storage that cannot be written"),
} as const;

export const RunSummarySchema = z
  .object({
    id: z.string(),
    state: z.string(),
    reason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("RunSummary");
