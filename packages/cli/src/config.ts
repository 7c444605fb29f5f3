import { isIP } from "node:net";
import { resolve } from "node:path";
import { z } from "zod";
import { parseOrigins } from "@genq/api";
import {
  DEFAULT_STAGE_DEADLINES,
  parseRetrainPolicy,
  parseStageDeadlines,
  type RetrainPolicy,
  type StageDeadlines,
} from "@genq/core";

/** Per-stage deadlines over the defaults (`training=2h,evaluating=30m`); each problem is named. */
const StageDeadlinesSetting = z.string().transform((text, ctx): StageDeadlines => {
  try {
    return parseStageDeadlines(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
    return DEFAULT_STAGE_DEADLINES;
  }
});

/** The retraining policy (`20%`, `500`, `off`); a bad one is named. */
const RetrainSetting = z.string().transform((text, ctx): RetrainPolicy | null => {
  try {
    return parseRetrainPolicy(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
    return null;
  }
});

/** An address to listen on: an IPv4 or IPv6 address, or a host name. */
const HostSetting = z
  .string()
  .refine(
    (h) =>
      isIP(h) !== 0 ||
      /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(
        h,
      ),
    {
      message: "not an address to listen on (e.g. 127.0.0.1, 0.0.0.0, ::1 or a host name)",
    },
  );

/** Comma-separated origins (or `*`); each must be scheme, host and port only. */
const OriginsSetting = z.string().transform((text, ctx): string[] => {
  const { origins, problems } = parseOrigins(text);
  for (const message of problems) ctx.addIssue({ code: "custom", message });
  return origins;
});

/** Configuration of the local runtime, from flags and GENQ_* environment variables, parsed once. */
export const LocalConfig = z.object({
  dataDir: z.string().min(1),
  maxDocumentMb: z.coerce.number().positive().max(4096),
  /** Request bodies over this are refused with 413 before they are read; default: room for the largest document in base64. */
  maxBodyMb: z.coerce.number().positive().max(8192).optional(),
  /** How long a stopping server waits for requests in flight. */
  shutdownSeconds: z.coerce.number().min(0).max(3600),
  chunkWords: z.coerce.number().int().min(16).max(2000),
  chunkOverlapSentences: z.coerce.number().int().min(0).max(5),
  logLevel: z.enum(["debug", "info", "warn", "error", "silent"]),
  tenant: z.string().min(1),
  queriesPerPassage: z.coerce.number().int().min(1).max(10),
  heldOutFraction: z.coerce.number().min(0).max(0.5),
  epochs: z.coerce.number().int().min(1).max(50),
  seed: z.coerce.number().int(),
  gateMinGain: z.coerce.number().min(-1).max(1),
  port: z.coerce.number().int().min(0).max(65535),
  host: HostSetting,
  corsOrigins: OriginsSetting,
  workers: z.coerce.number().int().min(1).max(64),
  /** Where a server runs the pipeline: a thread of its own (searches never wait for a run) or the serving thread. */
  pipeline: z.enum(["thread", "inline"]),
  fusion: z.enum(["normalized", "rrf"]),
  hardNegatives: z.enum(["true", "false"]).transform((v) => v === "true"),
  stageDeadlines: StageDeadlinesSetting,
  reconcileSeconds: z.coerce.number().positive().max(86_400),
  retrainAfter: RetrainSetting,
});
export type LocalConfig = z.infer<typeof LocalConfig>;

/** Read the config; every problem is reported at once, naming the variable. */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  flags: { data?: string | undefined; port?: string | undefined },
): LocalConfig {
  const raw = {
    dataDir: flags.data ?? env.GENQ_DATA_DIR ?? ".genq",
    maxDocumentMb: env.GENQ_MAX_DOCUMENT_MB ?? 50,
    maxBodyMb: env.GENQ_MAX_BODY_MB || undefined,
    shutdownSeconds: env.GENQ_SHUTDOWN_SECONDS ?? 10,
    chunkWords: env.GENQ_CHUNK_WORDS ?? 220,
    chunkOverlapSentences: env.GENQ_CHUNK_OVERLAP_SENTENCES ?? 1,
    logLevel: env.GENQ_LOG_LEVEL ?? "warn",
    tenant: env.GENQ_TENANT ?? "local",
    queriesPerPassage: env.GENQ_QUERIES_PER_PASSAGE ?? 3,
    heldOutFraction: env.GENQ_HELDOUT_FRACTION ?? 0.1,
    epochs: env.GENQ_EPOCHS ?? 2,
    seed: env.GENQ_SEED ?? 42,
    gateMinGain: env.GENQ_GATE_MIN_GAIN ?? 0,
    port: flags.port ?? env.GENQ_PORT ?? env.PORT ?? 8787,
    host: env.GENQ_HOST ?? "127.0.0.1",
    corsOrigins: env.GENQ_CORS_ORIGINS ?? "",
    workers: env.GENQ_SERVE_WORKERS ?? 1,
    pipeline: env.GENQ_PIPELINE ?? "thread",
    fusion: env.GENQ_FUSION ?? "normalized",
    hardNegatives: env.GENQ_HARD_NEGATIVES ?? "false",
    stageDeadlines: env.GENQ_STAGE_DEADLINES ?? "",
    reconcileSeconds: env.GENQ_RECONCILE_SECONDS ?? 30,
    retrainAfter: env.GENQ_RETRAIN_AFTER ?? "off",
  };
  const names: Record<string, string> = {
    dataDir: "--data / GENQ_DATA_DIR",
    maxDocumentMb: "GENQ_MAX_DOCUMENT_MB",
    maxBodyMb: "GENQ_MAX_BODY_MB",
    shutdownSeconds: "GENQ_SHUTDOWN_SECONDS",
    chunkWords: "GENQ_CHUNK_WORDS",
    chunkOverlapSentences: "GENQ_CHUNK_OVERLAP_SENTENCES",
    logLevel: "GENQ_LOG_LEVEL",
    tenant: "GENQ_TENANT",
    queriesPerPassage: "GENQ_QUERIES_PER_PASSAGE",
    heldOutFraction: "GENQ_HELDOUT_FRACTION",
    epochs: "GENQ_EPOCHS",
    seed: "GENQ_SEED",
    gateMinGain: "GENQ_GATE_MIN_GAIN",
    port: "--port / GENQ_PORT",
    host: "GENQ_HOST",
    corsOrigins: "GENQ_CORS_ORIGINS",
    workers: "GENQ_SERVE_WORKERS",
    pipeline: "GENQ_PIPELINE",
    fusion: "GENQ_FUSION",
    hardNegatives: "GENQ_HARD_NEGATIVES",
    stageDeadlines: "GENQ_STAGE_DEADLINES",
    reconcileSeconds: "GENQ_RECONCILE_SECONDS",
    retrainAfter: "GENQ_RETRAIN_AFTER",
  };
  const parsed = LocalConfig.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${names[String(i.path[0])] ?? i.path.join(".")}: ${i.message}`);
    throw new ConfigError(problems);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.dataDir) };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
}
