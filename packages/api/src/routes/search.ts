import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { answerQuestion, composeAnswer, corpusIdFor, corpusNameOf, searchCorpus, type Passage } from "@genq/core";
import type { ApiDeps, AppEnv } from "../deps.ts";
import {
  AnswerRequest,
  AnswerResponse,
  CorpusParam,
  QaRequest,
  QaResponse,
  SearchRequest,
  SearchResponse,
  errors,
} from "../schemas.ts";

const json = <T>(schema: T) => ({ content: { "application/json": { schema } }, required: true });

const searchRoute = createRoute({
  method: "post",
  path: "/v1/corpora/{corpus}/search",
  operationId: "search",
  tags: ["search"],
  summary: "Ranked passages for a query (hybrid by default)",
  request: { params: CorpusParam, body: json(SearchRequest) },
  responses: {
    200: { description: "ranked passages", content: { "application/json": { schema: SearchResponse } } },
    ...errors,
  },
});
const qaRoute = createRoute({
  method: "post",
  path: "/v1/corpora/{corpus}/qa",
  operationId: "answerExtractive",
  tags: ["search"],
  summary:
    "Extractive QA: answer spans with calibrated scores and their passages, or noAnswer when the corpus does not answer",
  request: { params: CorpusParam, body: json(QaRequest) },
  responses: { 200: { description: "answers", content: { "application/json": { schema: QaResponse } } }, ...errors },
});
const answerRoute = createRoute({
  method: "post",
  path: "/v1/corpora/{corpus}/answer",
  operationId: "answerWithCitations",
  tags: ["search"],
  summary: "RAG: an answer whose every sentence cites passage spans, or noAnswer when the passages do not contain it",
  request: { params: CorpusParam, body: json(AnswerRequest) },
  responses: {
    200: { description: "a cited answer", content: { "application/json": { schema: AnswerResponse } } },
    ...errors,
  },
});

/** Search, QA and RAG routes. */
export function registerSearchRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  const idOf = (tenant: string, name: string) => corpusIdFor(tenant, name, deps.defaultTenant);
  // Passages name their corpus as its owner does, never by its stored id.
  const own = (p: Passage): Passage => ({ ...p, corpus: corpusNameOf(p.corpus) });
  app.openapi(searchRoute, async (c) => {
    const corpus = idOf(c.get("tenant"), c.req.valid("param").corpus);
    const body = c.req.valid("json");
    const hits = await searchCorpus(deps, {
      tenant: c.get("tenant"),
      corpus,
      query: body.query,
      k: body.k,
      mode: body.mode,
      filter: body.filter,
    });
    return c.json(
      {
        mode: hits.mode ?? body.mode ?? "hybrid",
        hits: hits.map((h) => ({
          id: h.passage.id,
          documentId: h.passage.documentId,
          sourcePath: h.passage.sourcePath,
          title: h.passage.title,
          text: h.passage.text,
          score: h.score,
          scores: h.scores,
          highlights: h.highlights,
          ...(h.passage.metadata ? { metadata: h.passage.metadata } : {}),
        })),
      },
      200,
    );
  });
  app.openapi(qaRoute, async (c) => {
    const corpus = idOf(c.get("tenant"), c.req.valid("param").corpus);
    const body = c.req.valid("json");
    const result = await answerQuestion(deps, {
      tenant: c.get("tenant"),
      corpus,
      question: body.question,
      k: body.k,
      passages: body.passages,
      mode: body.mode,
      filter: body.filter,
    });
    const shape = (a: (typeof result.answers)[number]) => ({
      text: a.text,
      score: a.score,
      start: a.start,
      end: a.end,
      passage: own(a.passage),
    });
    return c.json(
      {
        noAnswer: result.noAnswer,
        answers: result.answers.map(shape),
        bestGuess: result.bestGuess ? shape(result.bestGuess) : null,
        metadata: result.metadata,
      },
      200,
    );
  });
  app.openapi(answerRoute, async (c) => {
    const corpus = idOf(c.get("tenant"), c.req.valid("param").corpus);
    const body = c.req.valid("json");
    const answer = await composeAnswer(deps, {
      tenant: c.get("tenant"),
      corpus,
      question: body.question,
      passages: body.passages,
      mode: body.mode,
      filter: body.filter,
    });
    return c.json({ ...answer, passages: answer.passages.map(own) }, 200);
  });
}
