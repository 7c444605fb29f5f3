import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import { handle } from "hono/aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileRuns, type Run } from "@genq/core";
import { PIPELINE_TABLE_DEFINITION, jobNames } from "@genq/aws";
import {
  documentEventPattern,
  pipelineEventPattern,
  publicEventPattern,
  sagemakerStateChangePattern,
} from "../../infra/event-patterns.ts";
import { buildAwsDeps } from "../../packages/functions/src/aws-deps.ts";
import { createAwsHttpApp } from "../../packages/functions/src/http-app.ts";
import { createPipelineEventsHandler } from "../../packages/functions/src/pipeline-events.ts";
import { createS3ObjectEventsHandler } from "../../packages/functions/src/s3-object-events.ts";
import { createSageMakerStateChangeHandler } from "../../packages/functions/src/sagemaker-state-change.ts";
import { collectFinishedTransform } from "../../packages/functions/src/transform-completion.ts";
import { startDynamoDbLocal, startS3rver, type Emulator } from "../contracts/emulators.ts";
import { createEventBus, type BusEvent, type EventBus } from "./event-bus.ts";
import { createQueryGenerationModel, s3rverClient, SAGEMAKER_ROLE, sourceDirTarball } from "./fixtures.ts";
import { startOpenSearchStandIn, type OpenSearchStandIn } from "./opensearch-standin.ts";
import { startSageMakerServer, type SageMakerServer } from "./sagemaker-server.ts";
import { SIMULATED_MODEL } from "./sagemaker-training.ts";

/**
 * The whole AWS pipeline, offline: documents put into s3rver reach the ingest handler as S3's EventBridge
 * events; state lives in DynamoDB Local; genq's events and SageMaker's state changes travel through an
 * in-process EventBridge that routes with the rules' real patterns from infra/; SageMaker is the simulator
 * (stock container for query generation, the embedded trainer, code/inference.py endpoints and transforms);
 * OpenSearch is the stand-in that refuses what OpenSearch refuses. Runs start and searches are answered
 * through the HTTP Lambda handler with API Gateway v2 events, and `run.succeeded` arrives on the bus.
 */

const BUCKET = "genq-e2e";
const TABLE = "genq-e2e";
const BUS = "genq-e2e-bus";
const ROLE = SAGEMAKER_ROLE;
const KEY = "gq_e2e_key";
const apiEvent = JSON.parse(
  readFileSync(join(import.meta.dirname, "../fixtures/events/apigateway-v2-request.json"), "utf8"),
) as APIGatewayProxyEventV2;
const s3Created = JSON.parse(
  readFileSync(join(import.meta.dirname, "../fixtures/events/s3-eventbridge-object-created.json"), "utf8"),
) as BusEvent & { detail: { object: Record<string, unknown>; bucket: { name: string } } };
const s3Deleted = JSON.parse(
  readFileSync(join(import.meta.dirname, "../fixtures/events/s3-eventbridge-object-deleted.json"), "utf8"),
) as BusEvent & { detail: { object: Record<string, unknown>; bucket: { name: string } } };

let s3rver: Emulator;
let dynamo: Emulator;
let sim: SageMakerServer;
let os: OpenSearchStandIn;
let bus: EventBus;
let deps: ReturnType<typeof buildAwsDeps>;
let http: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;
/** SageMaker state-change events the test drops, as if EventBridge had lost them. */
const lost: Array<(e: BusEvent) => boolean> = [];

beforeAll(async () => {
  // Powertools logs at INFO by default; the test reads outcomes, not log lines.
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
  [s3rver, dynamo, os] = await Promise.all([
    startS3rver(BUCKET),
    startDynamoDbLocal(),
    startOpenSearchStandIn({ users: { master: "Master-pass1" } }),
  ]);
  const s3 = s3rverClient(s3rver.endpoint);
  bus = createEventBus({ buses: ["default", BUS] });
  sim = await startSageMakerServer({
    s3,
    onEvent: (event) => {
      const e = event as unknown as BusEvent;
      if (!lost.some((drop) => drop(e))) bus.emit("default", e);
    },
  });
  const dynamodb = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await dynamodb.send(new CreateTableCommand({ TableName: TABLE, ...PIPELINE_TABLE_DEFINITION }));
  const { sagemaker, runtime } = sim.clients();
  await createQueryGenerationModel(sagemaker);
  await s3.send(
    new (await import("@aws-sdk/client-s3")).PutObjectCommand({
      Bucket: BUCKET,
      Key: "code/sourcedir.tar.gz",
      Body: sourceDirTarball(),
    }),
  );

  deps = buildAwsDeps(
    {
      AWS_REGION: "us-east-1",
      GENQ_BUCKET: BUCKET,
      GENQ_TABLE: TABLE,
      GENQ_EVENT_BUS: BUS,
      GENQ_DEAD_LETTER_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/genq-dlq",
      GENQ_OPENSEARCH_ENDPOINT: os.url,
      GENQ_OPENSEARCH_USERNAME: "master",
      GENQ_OPENSEARCH_PASSWORD: "Master-pass1",
      GENQ_SAGEMAKER_ROLE_ARN: ROLE,
      GENQ_QUERYGEN_MODEL: "genq-query-gen",
      GENQ_TRAINING_IMAGE: "hf-training",
      GENQ_INFERENCE_IMAGE: "hf-inference",
      GENQ_SOURCE_DIR: `s3://${BUCKET}/code/sourcedir.tar.gz`,
      GENQ_EMBEDDING_DIMENSIONS: String(SIMULATED_MODEL.dims),
      GENQ_EMBEDDING_INSTANCE: "ml.c6i.xlarge",
      GENQ_DEFAULT_TENANT: "default",
      GENQ_EPOCHS: "2",
    },
    () => ({
      s3,
      dynamodb,
      eventBridge: bus.client,
      sagemaker,
      sagemakerRuntime: runtime,
      sqs: new SQSClient({ region: "us-east-1" }),
    }),
  );
  await deps.apiKeys.register(KEY, "default");
  const handlerDeps = async () => deps.handlerDeps;
  const ingest = createS3ObjectEventsHandler(handlerDeps);
  const sagemakerHandler = createSageMakerStateChangeHandler(handlerDeps, (d, job) =>
    collectFinishedTransform({ ...deps.pipeline, ...d }, job),
  );
  const pipeline = createPipelineEventsHandler(handlerDeps);
  bus.rules.push(
    { name: "DocumentEvents", bus: "default", pattern: documentEventPattern(BUCKET), target: (e) => ingest(e) },
    {
      name: "SageMakerStateChanges",
      bus: "default",
      pattern: sagemakerStateChangePattern(),
      target: (e) => sagemakerHandler(e),
    },
    { name: "PipelineEvents", bus: BUS, pattern: pipelineEventPattern(), target: (e) => pipeline(e) },
    { name: "PublicEvents", bus: BUS, pattern: publicEventPattern(), target: async () => {} },
  );
  http = handle(createAwsHttpApp(deps)) as unknown as typeof http;
}, 180_000);

afterAll(async () => {
  await sim?.stop();
  await os?.stop();
  await Promise.all([s3rver?.stop(), dynamo?.stop()]);
});

/** Deliver events and let SageMaker's work finish, until nothing is left to happen. */
async function settle(): Promise<void> {
  for (let quiet = 0; quiet < 2;) {
    const delivered = await bus.deliver();
    await sim.idle();
    quiet = delivered === 0 && bus.pending === 0 ? quiet + 1 : 0;
  }
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const event: APIGatewayProxyEventV2 = {
    ...apiEvent,
    rawPath: path,
    headers: {
      ...apiEvent.headers,
      authorization: `Bearer ${KEY}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    requestContext: { ...apiEvent.requestContext, http: { ...apiEvent.requestContext.http, method, path } },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  const out = (await http(event)) as { statusCode: number; body: string };
  return { status: out.statusCode, body: JSON.parse(out.body || "null") };
}

/** Put documents into the bucket and announce them as S3 does through EventBridge. */
async function drop(files: string[]) {
  const dir = join(import.meta.dirname, "../../examples/postgresql-docs");
  for (const file of files) {
    const key = `corpora/pg/docs/${file}`;
    const bytes = readFileSync(join(dir, file));
    await deps.handlerDeps.blobs.put(key, bytes);
    bus.emit("default", {
      ...s3Created,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      resources: [`arn:aws:s3:::${BUCKET}`],
      detail: {
        ...s3Created.detail,
        bucket: { name: BUCKET },
        object: { key, size: bytes.length, sequencer: `${Date.now()}` },
      },
    });
  }
  await settle();
}

const runOf = async (id: string) => (await deps.handlerDeps.repo.getRun(id)) as Run;
const outcomes = (runId: string) =>
  bus.delivered
    .filter(
      (d) => d.rule === "PublicEvents" && (d.event.detail as { detail: { runId?: string } }).detail.runId === runId,
    )
    .map((d) => d.event["detail-type"])
    .filter((t) => t !== "run.started");

describe("the AWS pipeline end to end, offline", () => {
  let firstRun: string;

  it("turns documents dropped into the bucket into a promoted index that answers searches", async () => {
    const files = readdirSync(join(import.meta.dirname, "../../examples/postgresql-docs"))
      .filter((f) => f.startsWith("indexes-"))
      .sort();
    await drop(files);
    expect((await deps.handlerDeps.repo.listDocuments("pg")).filter((d) => d.status === "chunked")).toHaveLength(
      files.length,
    );

    const started = await call("POST", "/v1/corpora/pg/runs");
    expect(started.status).toBe(202);
    firstRun = (started.body as { id: string }).id;
    await settle();

    const run = await runOf(firstRun);
    expect(run.state).toBe("ready");
    expect(run.history.map((h) => h.to)).toEqual([
      "generating",
      "training",
      "deploying",
      "indexing",
      "evaluating",
      "promoting",
      "ready",
    ]);
    expect(outcomes(firstRun)).toEqual(["run.succeeded"]);
    expect(bus.deadLetters).toEqual([]);

    const search = await call("POST", "/v1/corpora/pg/search", { query: "multicolumn index on several columns", k: 5 });
    expect(search.status).toBe(200);
    expect((search.body as { hits: Array<{ documentId: string }> }).hits.map((h) => h.documentId)).toContain(
      "indexes-multicolumn.html",
    );
  }, 240_000);

  it("a run whose training completion event is lost is finished by the reconciler asking SageMaker", async () => {
    lost.push((e) => e["detail-type"] === "SageMaker Training Job State Change");
    const started = await call("POST", "/v1/corpora/pg/runs");
    expect(started.status).toBe(202);
    const runId = (started.body as { id: string }).id;
    await settle();
    expect((await runOf(runId)).state).toBe("training");
    lost.pop();

    const summary = await reconcileRuns({ ...deps.handlerDeps, deadlines: deps.deadlines });
    expect(summary.reissued).toBeGreaterThanOrEqual(1);
    await settle();
    const run = await runOf(runId);
    expect(["ready", "rejected"]).toContain(run.state);
    expect(run.reason).toMatch(/serving index/);
    expect(outcomes(runId)).toHaveLength(1);
    const corpus = await call("GET", "/v1/corpora/pg");
    expect(corpus.status).toBe(200);
  }, 240_000);

  it("a run whose SageMaker job cannot start fails with SageMaker's reason, and the next run succeeds", async () => {
    const { sagemaker } = sim.clients();
    const { DeleteModelCommand } = await import("@aws-sdk/client-sagemaker");
    await sagemaker.send(new DeleteModelCommand({ ModelName: "genq-query-gen" }));
    const broken = ((await call("POST", "/v1/corpora/pg/runs")).body as { id: string }).id;
    await settle();
    const failed = await runOf(broken);
    expect(failed.state).toBe("failed");
    expect(failed.reason).toMatch(/^generating failed: .*genq-query-gen/);
    expect(outcomes(broken)).toEqual(["run.failed"]);

    await createQueryGenerationModel(sagemaker);
    const next = ((await call("POST", "/v1/corpora/pg/runs")).body as { id: string }).id;
    await settle();
    expect(["ready", "rejected"]).toContain((await runOf(next)).state);
    const search = await call("POST", "/v1/corpora/pg/search", { query: "partial index", k: 3 });
    expect((search.body as { hits: Array<{ documentId: string }> }).hits.map((h) => h.documentId)).toContain(
      "indexes-partial.html",
    );
  }, 240_000);

  it("a document deleted from the bucket leaves the serving index through the same ingest function, without a run", async () => {
    const runsBefore = (await deps.handlerDeps.repo.listRuns("pg")).length;
    const key = "corpora/pg/docs/indexes-partial.html";
    await deps.handlerDeps.blobs.delete(key);
    bus.emit("default", {
      ...s3Deleted,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      resources: [`arn:aws:s3:::${BUCKET}`],
      detail: { ...s3Deleted.detail, bucket: { name: BUCKET }, object: { key, sequencer: `${Date.now()}` } },
    });
    await settle();
    expect(await deps.handlerDeps.repo.getDocument("pg", "indexes-partial.html")).toBeNull();
    const search = await call("POST", "/v1/corpora/pg/search", { query: "partial index", k: 10 });
    expect(search.status).toBe(200);
    expect((search.body as { hits: Array<{ documentId: string }> }).hits.map((h) => h.documentId)).not.toContain(
      "indexes-partial.html",
    );
    const listed = await call("GET", "/v1/corpora/pg/documents?limit=100");
    expect((listed.body as { documents: Array<{ path: string }> }).documents.map((d) => d.path)).not.toContain(
      "indexes-partial.html",
    );
    expect((await deps.handlerDeps.repo.listRuns("pg")).length).toBe(runsBefore);
    expect(bus.deadLetters).toEqual([]);
  }, 120_000);

  it("cancelling a run while its training job runs stops the job; its Stopped event and a second cancel change nothing", async () => {
    // The held training job stays InProgress, as a real one does for hours, until it is stopped.
    const release = sim.hold((name) => name.endsWith("-train"));
    const runId = ((await call("POST", "/v1/corpora/pg/runs")).body as { id: string }).id;
    await settle();
    expect((await runOf(runId)).state).toBe("training");
    const job = jobNames.training(runId);
    const status = () => sim.api.DescribeTrainingJob({ TrainingJobName: job }).TrainingJobStatus;
    expect(status()).toBe("InProgress");

    expect((await call("POST", `/v1/runs/${runId}/cancel`)).status).toBe(202);
    await settle();
    const cancelled = await runOf(runId);
    expect(cancelled).toMatchObject({ state: "failed", reason: "training failed: cancelled on request" });
    expect(status()).toBe("Stopped");
    const jobEvents = () => sim.events.filter((e) => e.detail.TrainingJobName === job);
    expect(jobEvents().map((e) => e.detail.TrainingJobStatus)).toEqual(["InProgress", "Stopping", "Stopped"]);
    // The deployed rule routes the final Stopped event to the state-change function, which leaves the ended run be.
    const routed = bus.delivered.filter(
      (d) =>
        d.rule === "SageMakerStateChanges" && (d.event.detail as { TrainingJobName?: string }).TrainingJobName === job,
    );
    expect(routed.map((d) => (d.event.detail as { TrainingJobStatus: string }).TrainingJobStatus)).toEqual(["Stopped"]);
    expect(outcomes(runId)).toEqual(["run.failed"]);

    expect((await call("POST", `/v1/runs/${runId}/cancel`)).status).toBe(409);
    bus.emit("default", jobEvents().at(-1)! as unknown as BusEvent);
    await settle();
    expect(await runOf(runId)).toEqual(cancelled);
    expect(outcomes(runId)).toEqual(["run.failed"]);
    expect(jobEvents()).toHaveLength(3);
    expect(bus.deadLetters).toEqual([]);
    release();
    await settle();
    expect(status()).toBe("Stopped");
  }, 240_000);

  it("a training job started by a command that lands after its run ended is stopped at once", async () => {
    // The cancellation crossed the stage's Describe and Create: the retirer found no job, the starter finds the run ended.
    const cancelled = await runOf(
      (await deps.handlerDeps.repo.listRuns("pg")).find((r) => r.reason === "training failed: cancelled on request")!
        .id,
    );
    const late: Run = { ...cancelled, id: "late-1", history: [], version: 0 };
    await deps.handlerDeps.repo.putRun(late, null);
    const release = sim.hold((name) => name === jobNames.training("late-1"));
    await deps.handlerDeps.stages.startTraining({
      type: "startTraining",
      runId: "late-1",
      corpus: "pg",
      pairsKey: "corpora/pg/runs/late-1/pairs/",
    });
    await settle();
    const statuses = sim.events
      .filter((e) => e.detail.TrainingJobName === jobNames.training("late-1"))
      .map((e) => e.detail.TrainingJobStatus);
    expect(statuses).toEqual(["InProgress", "Stopping", "Stopped"]);
    expect(await runOf("late-1")).toMatchObject({ state: "failed", reason: late.reason, history: [] });
    release();
  }, 60_000);
});
