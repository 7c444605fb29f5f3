import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runRecord } from "@genq/core/testing";
import {
  advanceRuns,
  cancelRun,
  ConflictError,
  silentLogger,
  systemClock,
  type EventInput,
  type GenqEvent,
  type Run,
  type StageExecutors,
} from "@genq/core";
import {
  createFolderBlobStore,
  createSqlitePipelineRepository,
  createSqliteSearchIndex,
  openDatabase,
} from "@genq/local";
import { parseDocument } from "@genq/parsing";
import type { HandlerDeps } from "./handler-deps.ts";
import { createSageMakerStateChangeHandler } from "./sagemaker-state-change.ts";

// A "SageMaker Training Job State Change" event for a stopped job: the documented event shape (Amazon
// SageMaker Developer Guide, "Automating Amazon SageMaker with Amazon EventBridge") with status and
// secondary status Stopped and no FailureReason, which SageMaker gives failed jobs only (botocore
// service-2.json, DescribeTrainingJobResponse FailureReason: "If the training job failed, the reason it failed").
const stopped = () =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, "../../../test/fixtures/events/sagemaker-training-stopped.json"), "utf8"),
  ) as { detail: Record<string, unknown> };

let deps: HandlerDeps;
let published: GenqEvent[];
let commands: string[];
let retired: string[];

beforeEach(() => {
  published = [];
  commands = [];
  retired = [];
  const db = openDatabase(":memory:");
  const index = createSqliteSearchIndex(db);
  deps = {
    repo: createSqlitePipelineRepository(db),
    blobs: createFolderBlobStore(mkdtempSync(join(tmpdir(), "genq-stopped-"))),
    events: {
      async publish(inputs: ReadonlyArray<EventInput & { id?: string }>) {
        const out = inputs.map((e) => ({ ...e, id: e.id ?? String(published.length), time: "t" }) as GenqEvent);
        published.push(...out);
        return out;
      },
    },
    clock: systemClock,
    logger: silentLogger,
    stages: new Proxy({} as StageExecutors, { get: (_t, type) => async () => void commands.push(String(type)) }),
    tidy: { index, deployer: { retire: async (modelId) => void retired.push(modelId) } },
    parse: parseDocument,
    maxDocumentBytes: 1024,
    defaultTenant: "default",
    index,
    encoderFor: async () => {
      throw new Error("no encoder in this test");
    },
    retrainAfter: null,
    deadLetter: async () => {
      throw new Error("nothing here is dead-lettered");
    },
  };
});

const training = (): Run => runRecord("training", { artifacts: { pairsKey: "p" } });

describe("a SageMaker job reported Stopped", () => {
  it("changes nothing for a run that has already ended: a cancelled run stays as it ended", async () => {
    await deps.repo.putRun(training(), null);
    await cancelRun(deps, "run-1");
    for (const event of [...published]) await advanceRuns(deps, event);
    const ended = (await deps.repo.getRun("run-1"))!;
    expect(ended).toMatchObject({ state: "failed", reason: "training failed: cancelled on request" });
    expect(published.map((e) => e.type)).toEqual(["stage.failed", "run.failed"]);
    expect(retired).toEqual(["run-1-model"]);

    // Giving the run back stopped its training job; SageMaker announces Stopped (and may deliver it again).
    const handler = createSageMakerStateChangeHandler(async () => deps);
    await handler(stopped());
    await handler(stopped());
    expect(await deps.repo.getRun("run-1")).toEqual(ended);
    expect(published.map((e) => e.type)).toEqual(["stage.failed", "run.failed"]);
    expect(retired).toEqual(["run-1-model"]);
    expect(commands).toEqual([]);
    await expect(cancelRun(deps, "run-1")).rejects.toBeInstanceOf(ConflictError);
  });

  it("fails the stage of a run still waiting for the job, saying it was stopped from outside genq", async () => {
    await deps.repo.putRun(training(), null);
    await createSageMakerStateChangeHandler(async () => deps)(stopped());
    const failed = (await deps.repo.getRun("run-1"))!;
    expect(failed.state).toBe("failed");
    expect(failed.reason).toBe(
      "training failed: the SageMaker training job genq-run-1-train was stopped before it finished (StopTrainingJob from outside genq)",
    );
    expect(published.map((e) => [e.type, (e.detail as { reason?: string }).reason])).toEqual([
      ["run.failed", failed.reason],
    ]);
  });

  it("says when the job was stopped at its time limit (secondary status MaxRuntimeExceeded)", async () => {
    await deps.repo.putRun(training(), null);
    const event = stopped();
    event.detail.SecondaryStatus = "MaxRuntimeExceeded";
    await createSageMakerStateChangeHandler(async () => deps)(event);
    expect((await deps.repo.getRun("run-1"))!.reason).toBe(
      "training failed: the SageMaker training job genq-run-1-train was stopped at its time limit (MaxRuntimeInSeconds) before it finished",
    );
  });
});
