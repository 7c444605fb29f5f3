import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { renderReportHtml, type RunReport } from "@genq/core";

const CHROMIUM = process.env.GENQ_CHROMIUM ?? "/usr/bin/chromium";

/** A report as the evaluation stage writes it (two query sets, five systems, a projection). */
function sampleReport(): RunReport {
  const systems = ["bm25", "tfidf", "base", "tuned", "hybrid"];
  const set = (name: string, source: "held-out synthetic" | "user judgments", shift: number) => ({
    name, source, queries: 40,
    systems: Object.fromEntries(systems.map((s, i) => [s, {
      metrics: { "ndcg@10": 0.4 + 0.05 * i + shift, "mrr@10": 0.35 + 0.05 * i, "recall@10": 0.5 + 0.04 * i, "recall@100": 0.8 + 0.03 * i },
      recallCurve: Array.from({ length: 100 }, (_, k) => Math.min(1, (0.3 + 0.05 * i) * Math.log10(k + 2))),
    }])),
    significance: [{ system: "hybrid", against: "bm25", meanDifference: 0.2, pValue: 0.001 }],
    wins: [{ id: "q1", query: "how do I <hold> a package?", ndcg: { bm25: 0, hybrid: 1 } }],
    losses: [{ id: "q2", query: "what is debian", ndcg: { bm25: 1, hybrid: 0.5 } }],
  });
  const cloud = (seed: number) => Array.from({ length: 60 }, (_, i) => ({ x: Math.cos(i * seed), y: Math.sin(i * 1.7 * seed), neighbour: i < 10 }));
  return {
    runId: "run-1", corpus: "docs", createdAt: "2026-01-01T00:00:00Z", servingMode: "hybrid",
    facts: { passages: 1200, "training pairs": 3400 },
    evaluations: [set("held-out synthetic queries", "held-out synthetic", 0.3), set("your judged queries", "user judgments", 0)],
    gate: { promote: true, reason: "hybrid nDCG@10 0.900 ≥ bm25 0.700", comparedTo: "bm25", score: 0.9, baseline: 0.7 },
    projection: { query: "hold a package", models: [{ name: "base (untrained)", points: [...cloud(1), { x: 0, y: 0, neighbour: false, query: true }] }, { name: "tuned", points: [...cloud(2), { x: 0.1, y: 0.1, neighbour: false, query: true }] }] },
    modelCard: { type: "static-embedding", dims: 128 },
  };
}

describe.skipIf(!existsSync(CHROMIUM))("report.html in a real browser", () => {
  it("renders offline with every chart, and escapes query text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "genq-report-"));
    const file = join(dir, "report.html");
    writeFileSync(file, renderReportHtml(sampleReport()));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      page.on("request", (r) => { if (!r.url().startsWith("file:")) requests.push(r.url()); });
      await page.goto(`file://${file}`);
      expect(await page.locator("svg.bar-chart").count()).toBe(8);
      expect(await page.locator("svg.recall-curve polyline.curve").count()).toBe(10);
      expect(await page.locator("svg.projection").count()).toBe(2);
      expect(await page.locator("svg.projection circle.neighbour").count()).toBe(20);
      expect(await page.locator("table.metrics").first().innerText()).toContain("hybrid");
      expect(await page.getByText("how do I <hold> a package?").count()).toBe(2);
      const box = await page.locator("svg.bar-chart rect.bar").first().boundingBox();
      expect(box!.height).toBeGreaterThan(10);
      const shot = await page.screenshot({ fullPage: true, path: join(dir, "report.png") });
      expect(shot.length).toBeGreaterThan(20_000);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
