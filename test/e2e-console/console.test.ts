import { cpSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, genq, tempDir } from "../e2e-local/helpers.ts";
import { CHROMIUM, axe, focusedPassage, launch, shoot, startServer } from "./harness.ts";

const KEY = "console-test-key";
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let page: Page;
const foreignRequests: string[] = [];
const consoleErrors: string[] = [];
const failedResponses: string[] = [];

/** Sign in through the form (the key goes to session storage, never the URL). */
async function signIn(key: string) {
  await page.goto(`${server.url}/`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function expectAccessible() {
  expect(await axe(page)).toEqual([]);
}

describe.skipIf(!existsSync(CHROMIUM))("the web console in a real browser", () => {
  beforeAll(async () => {
    // A served corpus to start from: the index chapter of the shipped examples.
    const docs = tempDir();
    const src = join(ROOT, "examples/postgresql-docs");
    for (const f of readdirSync(src).filter((f) => f.startsWith("indexes"))) cpSync(join(src, f), join(docs, f));
    const data = tempDir();
    const env = { GENQ_LOG_LEVEL: "silent", GENQ_EPOCHS: "1" };
    expect(genq(["ingest", docs, "--corpus", "pg", "--data", data], env).code).toBe(0);
    // GENQ_HOST: listen on every interface; the browser still comes over loopback.
    server = await startServer({ ...env, GENQ_DATA_DIR: data, GENQ_API_KEY: KEY, GENQ_HOST: "0.0.0.0" });
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const origin = new URL(server.url).origin;
    page.on(
      "request",
      (r) =>
        void (
          new URL(r.url()).origin !== origin &&
          !r.url().startsWith("data:") &&
          !r.url().startsWith("blob:") &&
          foreignRequests.push(r.url())
        ),
    );
    page.on(
      "response",
      (r) =>
        void (
          r.status() >= 400 &&
          failedResponses.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`)
        ),
    );
    // A failed response is logged by the browser too; those are checked above, by URL.
    page.on(
      "console",
      (m) =>
        void (m.type() === "error" && !m.text().startsWith("Failed to load resource") && consoleErrors.push(m.text())),
    );
    page.on("pageerror", (e) => void consoleErrors.push(String(e)));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("refuses a wrong key and says so", async () => {
    expect(server.output()).toMatch(/listening on 0\.0\.0\.0 \(GENQ_HOST\)/);
    await signIn("gq_not_a_real_key");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That key was refused");
    expect(await page.evaluate("sessionStorage.getItem('genq.apiKey')")).toBeNull();
    await shoot(page, "1-sign-in-refused");
    await expectAccessible();
  });

  it("signs in with a key kept out of the URL and lists the corpora", async () => {
    await signIn(KEY);
    await page.getByRole("heading", { name: "Corpora" }).waitFor();
    expect(page.url()).not.toContain(KEY);
    expect(await page.evaluate("sessionStorage.getItem('genq.apiKey')")).toBe(KEY);
    await expect.poll(() => page.locator("table tbody tr").count()).toBe(1);
    expect(await page.getByRole("link", { name: "pg", exact: true }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText("live events on").count()).toBe(1);
    await shoot(page, "2-corpora");
    await expectAccessible();
  });

  it("uploads documents by drag and drop and follows each to chunked or rejected", async () => {
    await page.getByRole("link", { name: "pg", exact: true }).click();
    await page.getByRole("heading", { name: "pg", exact: true }).waitFor();
    // What a drop from the desktop carries: a DataTransfer with files (built in the page; this project's type-check has no DOM).
    const files = await page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(["# BRIN indexes\\n\\nA BRIN index stores summaries of block ranges, so it stays tiny on huge, naturally ordered tables."], "brin-notes.md", { type: "text/markdown" }));
      dt.items.add(new File([new Uint8Array([0, 159, 146, 150, 0, 1, 2])], "blob.txt", { type: "text/plain" }));
      return dt;
    })()`);
    await page.dispatchEvent('[data-testid="dropzone"]', "drop", { dataTransfer: files });
    await page.locator('li[data-status="chunked"]', { hasText: "brin-notes.md" }).waitFor({ timeout: 20_000 });
    const rejected = page.locator('li[data-status="rejected"]', { hasText: "blob.txt" });
    await rejected.waitFor({ timeout: 20_000 });
    expect(await rejected.textContent()).toMatch(/binary|UTF-8|text/i);
    await expect.poll(() => page.getByRole("cell", { name: "brin-notes.md" }).count()).toBe(1);
    await page.locator("section", { hasText: "Add documents to pg" }).scrollIntoViewIfNeeded();
    await shoot(page, "3-corpus-upload");
    await expectAccessible();
  });

  it("starts a run and watches it reach its end live, stage by stage", async () => {
    await page.evaluate("window.scrollTo(0, 0)");
    await page.getByRole("button", { name: "Start a run" }).click();
    await page.getByTestId("run-state").waitFor({ state: "attached" });
    // Record every state the page announces, to see the stages arrive one by one.
    await page.evaluate(`(() => {
      const seen = (window.seen = []);
      const live = document.querySelector('[data-testid="run-state"]');
      seen.push(live.textContent);
      new MutationObserver(() => seen.push(live.textContent)).observe(live, { childList: true, characterData: true, subtree: true });
    })()`);
    expect(await page.getByText("following live").count()).toBe(1);
    await page.locator('[data-stage="ready"][data-status="done"]').waitFor({ timeout: 90_000 });
    const seen = (await page.evaluate("window.seen")) as string[];
    expect(seen.at(-1)).toBe("Run ready");
    // Intermediate states arrived while the page stayed open (no reload): at least three stages.
    expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
    expect(await page.locator('ol.stages li[data-status="done"]').count()).toBe(8);
    await shoot(page, "4-run-ready");
    await expectAccessible();
  });

  it("opens the run's report, drills into a query, and finds one by its text", async () => {
    await page.getByRole("link", { name: "Open the report" }).click();
    const report = page.getByTestId("report");
    await report.locator("h1", { hasText: "genq evaluation report" }).waitFor();
    expect(await report.locator("svg.bar-chart").count()).toBeGreaterThanOrEqual(4);
    const query = report.locator("details.query").first();
    const text = (await query.locator(".query-text").textContent())!;
    await query.locator("summary").click();
    await query.locator("table.ranks").waitFor();
    expect(await query.locator("tfoot").textContent()).toMatch(/first expected/);
    expect(await query.locator("p.expected code").count()).toBeGreaterThan(0);
    await page.getByLabel("Find a query in the drill-down").fill(text.slice(0, 12));
    // The filter applies on input, a moment after the fill: wait until every query still shown matches it.
    const needle = text.slice(0, 12).toLowerCase();
    const shownTexts = () => report.locator("details.query:not([hidden]) .query-text").allTextContents();
    await expect.poll(async () => (await shownTexts()).every((t) => t.toLowerCase().includes(needle))).toBe(true);
    expect((await shownTexts()).length).toBeGreaterThanOrEqual(1);
    await query.scrollIntoViewIfNeeded();
    await shoot(page, "5-report-drill-down");
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download" }).click();
    expect((await download).suggestedFilename()).toMatch(/^run-.*\.heldout-test\.csv$/);
    await expectAccessible();
  });

  it("searches with highlights", async () => {
    await page.getByRole("link", { name: "Search & QA" }).first().click();
    await page.getByLabel("Corpus").selectOption("pg");
    await page.getByLabel("Query").fill("index on an expression");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.locator(".hit").first().waitFor();
    expect(await page.locator(".hit .highlight mark").count()).toBeGreaterThan(0);
    expect(await page.locator(".hit h3").first().textContent()).toMatch(/Expression/i);
    await shoot(page, "6-search");
    await expectAccessible();
  });

  it("asks a question, follows a citation to the passage it quotes, and sees the reader abstain", async () => {
    await page.getByRole("tab", { name: "Cited answer" }).click();
    await page.getByLabel("Question").fill("Which option makes a unique index treat nulls as equal?");
    await page.getByRole("button", { name: "Ask" }).click();
    const cite = page.locator(".answer .cite").first();
    await cite.waitFor();
    expect(await page.locator(".answer").textContent()).toContain("NULLS NOT DISTINCT");
    await cite.click();
    const passage = (await focusedPassage(page))!;
    const source = page.locator(`[data-passage="${passage}"]`);
    expect(await source.locator("mark.cited").textContent()).toContain("NULLS NOT DISTINCT");
    expect(await source.isVisible()).toBe(true);
    await shoot(page, "7-answer-citation");
    await expectAccessible();

    await page.getByRole("tab", { name: "Extractive QA" }).click();
    await page.getByLabel("Question").fill("What is the capital of France?");
    await page.getByRole("button", { name: "Ask" }).click();
    await expect.poll(() => page.getByText(/No answer: the corpus most likely does not answer/).count()).toBe(1);
  });

  it("makes an API key shown once and revokes it", async () => {
    await page.getByRole("link", { name: "API keys" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await page.getByRole("button", { name: "Make a new key" }).click();
    const key = await page.getByLabel(/Your new key/).inputValue();
    expect(key).toMatch(/^gq_/);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(2);
    await shoot(page, "8-keys");
    await expectAccessible();
    const row = page.locator("tbody tr", { hasNot: page.getByText("this session") });
    await row.getByRole("button", { name: "Revoke…" }).click();
    await row.getByRole("button", { name: /^Revoke [0-9a-f]{16}$/ }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    const refused = await fetch(`${server.url}/v1/corpora`, { headers: { authorization: `Bearer ${key}` } });
    expect(refused.status).toBe(401);
  });

  it("serves the API reference from its own files", async () => {
    await page.goto(`${server.url}/docs`);
    await expect.poll(() => page.locator(".opblock").count(), { timeout: 15_000 }).toBeGreaterThan(15);
    expect(await page.locator(".opblock-summary-path", { hasText: "/v1/events" }).count()).toBe(1);
    await shoot(page, "9-api-reference");
  });

  it("made no request outside the server, failed none but the refused key's, and logged no error (a CSP violation included)", () => {
    expect(foreignRequests).toEqual([]);
    // The uploader first asks for a presigned URL: a server whose store has none answers 501 (404 before that route existed).
    expect(failedResponses.filter((r) => !/^(404|501) POST \/v1\/corpora\/pg\/uploads$/.test(r))).toEqual([
      "401 GET /v1/corpora",
    ]);
    expect(consoleErrors).toEqual([]);
  });
});
