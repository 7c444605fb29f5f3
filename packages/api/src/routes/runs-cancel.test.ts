import { describe, expect, it } from "vitest";
import { testApp } from "../test-app.ts";

describe("POST /v1/runs/{run}/cancel", () => {
  it("fails the run's current stage with the reason, for the run's own tenant only", async () => {
    const t = testApp();
    await t.putRun({ id: "r1", state: "training" });
    const other = await t.call("/v1/runs/r1/cancel", { method: "POST", key: "k2" });
    expect(other.status).toBe(404);
    const res = await t.call("/v1/runs/r1/cancel", { method: "POST" });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: "r1", state: "training" });
    const bus = t.deps.events as unknown as { published: Array<{ type: string; detail: unknown }> };
    expect(bus.published.filter((e) => e.type === "stage.failed").map((e) => e.detail)).toEqual([
      { runId: "r1", stage: "training", reason: "cancelled on request" },
    ]);
  });

  it("refuses a run that has ended or is promoting, with 409 and the reason", async () => {
    const t = testApp();
    await t.putRun({ id: "done", state: "ready" });
    await t.putRun({ id: "late", state: "promoting" });
    const ended = await t.call("/v1/runs/done/cancel", { method: "POST" });
    expect(ended.status).toBe(409);
    expect(((await ended.json()) as { detail?: string; message?: string }).detail ?? "").toMatch(
      /already ended \(ready\)/,
    );
    expect((await t.call("/v1/runs/late/cancel", { method: "POST" })).status).toBe(409);
    expect((await t.call("/v1/runs/nope/cancel", { method: "POST" })).status).toBe(404);
  });
});
