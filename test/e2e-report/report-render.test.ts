import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  buildQueryDetails,
  compareReports,
  queryMetrics,
  renderComparisonHtml,
  renderReportHtml,
  type RunReport,
} from "@genq/core";

const CHROMIUM = process.env.GENQ_CHROMIUM ?? "/usr/bin/chromium";

const SYSTEMS = ["bm25", "tfidf", "base", "tuned", "hybrid-untuned", "hybrid"];

/** The drill-down of 40 queries: system i ranks query q's expected document at (q + i) % 12 + 1. */
function details() {
  const docs = Array.from({ length: 60 }, (_, i) => `guide/section-${i}.html`);
  const queries = Array.from({ length: 40 }, (_, q) => ({
    id: `q${q}`,
    text: q === 0 ? "how do I <hold> a package?" : `question number ${q}`,
    judgments: new Map([[docs[q]!, 1]]),
  }));
  const rankings = Object.fromEntries(
    SYSTEMS.map((s, i) => [
      s,
      queries.map((_, q) => {
        const others = docs.filter((d) => d !== docs[q]).slice(q, q + 99);
        others.splice((q + i) % 12, 0, docs[q]!);
        return others;
      }),
    ]),
  );
  const metrics = Object.fromEntries(
    SYSTEMS.map((s) => [s, queries.map((x, q) => queryMetrics(rankings[s]![q]!, x.judgments))]),
  );
  return buildQueryDetails(queries, rankings, metrics);
}

/** A report as the evaluation stage writes it (two query sets, six systems with close scores, a projection). */
function sampleReport(runId = "run-1", shiftAll = 0): RunReport {
  const systems = SYSTEMS;
  const ci = (v: number) => ({ mean: v, low: v - 0.06, high: Math.min(1, v + 0.05) });
  const set = (name: string, source: "held-out synthetic" | "user judgments", shift: number) => ({
    slug: source === "user judgments" ? "judged" : "heldout-test",
    name,
    source,
    queries: 40,
    systems: Object.fromEntries(
      systems.map((s, i) => {
        // Close scores and curves that end together: the layout must still keep every label apart.
        const metrics = {
          "ndcg@10": 0.4 + 0.01 * i + shift + shiftAll,
          "mrr@10": 0.35 + 0.05 * i,
          "recall@10": 0.5 + 0.04 * i,
          "recall@100": 0.97 + 0.005 * i,
        };
        return [
          s,
          {
            metrics,
            ndcgInterval: ci(metrics["ndcg@10"]),
            intervals: Object.fromEntries(Object.entries(metrics).map(([m, v]) => [m, ci(v)])),
            recallCurve: Array.from({ length: 100 }, (_, k) =>
              Math.min(0.97 + 0.005 * i, (0.3 + 0.05 * i) * Math.log10(k + 2)),
            ),
            recallIntervals: [1, 5, 10, 20, 50, 100].map((k) => ({ k, low: 0.2, high: 0.9 })),
          },
        ];
      }),
    ),
    significance: [{ system: "hybrid", against: "bm25", meanDifference: 0.2, pValue: 0.001 }],
    wins: [{ id: "q1", query: "how do I <hold> a package?", ndcg: { bm25: 0, hybrid: 1 } }],
    losses: [{ id: "q2", query: "what is debian", ndcg: { bm25: 1, hybrid: 0.5 } }],
    details: details(),
  });
  const cloud = (seed: number) =>
    Array.from({ length: 60 }, (_, i) => ({ x: Math.cos(i * seed), y: Math.sin(i * 1.7 * seed), neighbour: i < 10 }));
  return {
    runId,
    corpus: "docs",
    createdAt: "2026-01-01T00:00:00Z",
    servingMode: "hybrid",
    facts: { passages: 1200, "training pairs": 3400 },
    evaluations: [
      set("held-out synthetic queries", "held-out synthetic", 0.3),
      set("your judged queries", "user judgments", 0),
    ],
    gate: { promote: true, reason: "hybrid nDCG@10 0.900 ≥ bm25 0.700", comparedTo: "bm25", score: 0.9, baseline: 0.7 },
    projection: {
      query: "hold a package",
      models: [
        { name: "base (untrained)", points: [...cloud(1), { x: 0, y: 0, neighbour: false, query: true }] },
        { name: "tuned", points: [...cloud(2), { x: 0.1, y: 0.1, neighbour: false, query: true }] },
      ],
    },
    modelCard: { type: "static-embedding", dims: 128 },
  };
}

/**
 * Pairs of SVG text elements whose boxes overlap, per chart: [chart label, text a, text b]. (Run in the
 * page as a string: this project's type-check has no DOM library.)
 */
export const OVERLAPPING_LABELS = `(() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const boxes = [...svg.querySelectorAll("text")].map((t) => ({ t: t.textContent, b: t.getBoundingClientRect() }));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].b, b = boxes[j].b;
        if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1)
          out.push([svg.getAttribute("aria-label"), boxes[i].t, boxes[j].t]);
      }
  }
  return out;
})()`;
const overlappingLabels = (page: import("playwright-core").Page) => page.evaluate(OVERLAPPING_LABELS);

describe.skipIf(!existsSync(CHROMIUM))("report.html in a real browser", () => {
  it("renders offline with axes and intervals on every chart, labels that do not overlap, a drill-down, and escaped query text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "genq-report-"));
    const file = join(dir, "report.html");
    writeFileSync(file, renderReportHtml(sampleReport()));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith("file:")) requests.push(r.url());
      });
      await page.goto(`file://${file}`);
      // Labels are checked before anything else: the old layout overlapped them.
      expect(await overlappingLabels(page)).toEqual([]);
      expect(await page.locator("svg.bar-chart").count()).toBe(8);
      expect(await page.locator("svg.recall-curve polyline.curve").count()).toBe(12);
      expect(await page.locator("svg.projection").count()).toBe(2);
      expect(await page.locator("svg.projection circle.neighbour").count()).toBe(20);
      // Every chart has an x axis with ticks; bar charts a whisker per bar, recall curves error bars.
      for (const chart of await page.locator("svg.chart").all()) {
        expect(await chart.locator(".x-axis").count()).toBe(1);
        expect(await chart.locator("text.tick").count()).toBeGreaterThanOrEqual(4);
        expect(await chart.locator("text.axis-title").count()).toBeGreaterThanOrEqual(1);
      }
      expect(await page.locator("svg.bar-chart path.ci").count()).toBe(8 * SYSTEMS.length);
      expect(await page.locator("svg.recall-curve path.ci").count()).toBe(2 * 6 * SYSTEMS.length);
      expect(await page.locator("table.metrics").first().innerText()).toContain("hybrid");
      // The wins table and the drill-down (each set) show the escaped query.
      expect(await page.getByText("how do I <hold> a package?").count()).toBe(4);
      const query = page.locator("details.query").first();
      await query.locator("summary").click();
      expect(await query.locator("td.hit").count()).toBeGreaterThan(0);
      expect(await query.locator("tfoot").innerText()).toMatch(/first expected\s+rank \d+/);
      const box = await page.locator("svg.bar-chart rect.bar").first().boundingBox();
      expect(box!.height).toBeGreaterThan(10);
      const shot = await page.screenshot({ fullPage: true, path: join(dir, "report.png") });
      expect(shot.length).toBeGreaterThan(20_000);

      // Run ids as genq makes them: long legend names must not run into each other either.
      writeFileSync(
        join(dir, "compare.html"),
        renderComparisonHtml(
          compareReports(sampleReport("run-20261130-013318-f7f3"), sampleReport("run-20261130-013419-4d91", 0.02)),
        ),
      );
      await page.goto(`file://${join(dir, "compare.html")}`);
      expect(await page.locator("svg.bar-chart.grouped").count()).toBe(8);
      expect(await overlappingLabels(page)).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
