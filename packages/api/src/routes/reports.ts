import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import {
  NotFoundError,
  ValidationError,
  compareReports,
  corpusNameOf,
  exportMediaType,
  keys,
  renderComparisonHtml,
  renderReportHtml,
  type Run,
  type RunReport,
} from "@genq/core";
import type { Context } from "hono";
import type { ApiDeps, AppEnv } from "../deps.ts";
import { RunParam, errors } from "../schemas.ts";

const ResultFile = z
  .object({ file: z.string(), set: z.string(), kind: z.enum(["csv", "trec", "qrels"]), system: z.string().optional() })
  .openapi("ResultFile");
const html = { "text/html": { schema: z.string() } };

const reportRoute = createRoute({
  method: "get",
  path: "/v1/runs/{run}/report",
  operationId: "getRunReport",
  tags: ["reports"],
  summary: "A run's evaluation report: JSON, or the HTML page when Accept asks for text/html",
  description:
    "The JSON is `report.json` as the evaluation wrote it (its `corpus` the name you call the corpus by): every system's metrics with 95% bootstrap intervals, recall curves, the calibrated serving setups, the gate's decision, the ablation and a per-query drill-down (at most 500 queries per set, top 10 per system).",
  request: { params: RunParam },
  responses: {
    200: {
      description: "report",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()).openapi("RunReport") }, ...html },
    },
    401: errors[401],
    404: errors[404],
  },
});
const compareRoute = createRoute({
  method: "get",
  path: "/v1/runs/{run}/compare/{other}",
  operationId: "compareRuns",
  tags: ["reports"],
  summary: "Two runs of a corpus side by side (A = {run}, B = {other}): JSON, or HTML when Accept asks for text/html",
  request: {
    params: RunParam.extend({
      other: z
        .string()
        .min(1)
        .max(100)
        .openapi({ param: { name: "other", in: "path" } }),
    }),
  },
  responses: {
    200: {
      description: "the comparison",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()).openapi("RunComparison") }, ...html },
    },
    400: errors[400],
    401: errors[401],
    404: errors[404],
  },
});
const resultsRoute = createRoute({
  method: "get",
  path: "/v1/runs/{run}/results",
  operationId: "listRunResults",
  tags: ["reports"],
  summary: "The run's per-query result files: a CSV per query set, its qrels, and a TREC run file per system",
  request: { params: RunParam },
  responses: {
    200: {
      description: "files",
      content: { "application/json": { schema: z.object({ files: z.array(ResultFile) }) } },
    },
    401: errors[401],
    404: errors[404],
  },
});
const resultRoute = createRoute({
  method: "get",
  path: "/v1/runs/{run}/results/{file}",
  operationId: "getRunResult",
  tags: ["reports"],
  summary: "One per-query result file (CSV, or TREC run / qrels that trec_eval reads)",
  request: {
    params: RunParam.extend({
      file: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: "file", in: "path" }, example: "heldout-test.hybrid.trec" }),
    }),
  },
  responses: {
    200: {
      description: "the file, as an attachment",
      content: { "text/csv": { schema: z.string() }, "text/plain": { schema: z.string() } },
    },
    401: errors[401],
    404: errors[404],
  },
});

/** Report routes: the report (JSON or HTML, rendered from report.json), two runs compared, and the per-query exports. */
export function registerReportRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  const tenantRun = async (tenant: string, id: string): Promise<Run> => {
    const run = await deps.repo.getRun(id);
    if (!run || run.tenant !== tenant) throw new NotFoundError(`run "${id}" not found`);
    return run;
  };
  // The report names its corpus as the corpus's owner does (report.json holds the stored, tenant-qualified id).
  const reportOf = async (run: Run): Promise<RunReport> => {
    if (!run.artifacts.reportKey) throw new NotFoundError(`run "${run.id}" has no report yet (it is ${run.state})`);
    const report = JSON.parse(new TextDecoder().decode(await deps.blobs.get(run.artifacts.reportKey))) as RunReport;
    return { ...report, corpus: corpusNameOf(report.corpus) };
  };
  const wantsHtml = (c: Context) => (c.req.header("accept") ?? "").includes("text/html");

  app.openapi(reportRoute, async (c) => {
    const report = await reportOf(await tenantRun(c.get("tenant"), c.req.valid("param").run));
    // Rendered from report.json on each request, so every report reads with the current renderer.
    return wantsHtml(c)
      ? c.html(renderReportHtml(report), 200)
      : c.json(report as unknown as Record<string, unknown>, 200);
  });
  app.openapi(compareRoute, async (c) => {
    const { run, other } = c.req.valid("param");
    const [a, b] = [await tenantRun(c.get("tenant"), run), await tenantRun(c.get("tenant"), other)];
    if (a.corpus !== b.corpus)
      throw new ValidationError(
        `runs of different corpora cannot be compared (${corpusNameOf(a.corpus)}, ${corpusNameOf(b.corpus)})`,
      );
    const comparison = compareReports(await reportOf(a), await reportOf(b));
    return wantsHtml(c)
      ? c.html(renderComparisonHtml(comparison), 200)
      : c.json(comparison as unknown as Record<string, unknown>, 200);
  });
  app.openapi(resultsRoute, async (c) => {
    const report = await reportOf(await tenantRun(c.get("tenant"), c.req.valid("param").run));
    return c.json({ files: report.exports ?? [] }, 200);
  });
  app.openapi(resultRoute, async (c) => {
    const { run: id, file } = c.req.valid("param");
    const run = await tenantRun(c.get("tenant"), id);
    const entry = ((await reportOf(run)).exports ?? []).find((e) => e.file === file);
    if (!entry) throw new NotFoundError(`run "${id}" has no result file "${file}"`);
    const body = await deps.blobs.get(keys.result(run.corpus, run.id, entry.file));
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": exportMediaType(entry),
      "content-disposition": `attachment; filename="${run.id}.${entry.file}"`,
    });
  });
}
