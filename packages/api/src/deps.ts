import type { MetricsSource } from "./metrics.ts";
import type { CoreDeps, ApiKeyStore, Encoder, GenqEvent, Generator, Reader, Run, SearchIndex } from "@genq/core";

/** A position in the event stream and the event there. */
export interface FeedItem {
  seq: number;
  event: GenqEvent;
}

/**
 * What the HTTP app needs; each runtime's composition root provides it. The app itself never chooses
 * an adapter, so the same app serves locally and on Lambda.
 */
export interface ApiDeps extends CoreDeps {
  index: SearchIndex;
  encoderFor(modelId: string): Promise<Encoder>;
  reader: Reader;
  generator: Generator;
  /** The tenant an API key belongs to, or null for an unknown key. */
  authenticate(apiKey: string): Promise<string | null>;
  startRun(input: { tenant: string; corpus: string }): Promise<Run>;
  /** Delete a tenant's corpus with everything it owns (the runtime's deployer retires its models). */
  deleteCorpus(input: { tenant: string; corpus: string }): Promise<{ runs: number; objects: number }>;
  /** genq's stage events in order (the local stand-in for subscribing to the event bus); absent where the runtime has none. */
  eventFeed?: { after(seq: number, limit: number): Promise<FeedItem[]>; last(): Promise<number> };
  /**
   * Size limits: `maxUploadBytes` for a document sent through `POST …/documents` (decoded bytes);
   * `maxDocumentBytes` for a presigned upload (default: maxUploadBytes); `maxBodyBytes` for any request
   * body (413 before it is read; default: a base64-encoded document of the largest size plus 64 KiB).
   */
  limits: { maxUploadBytes: number; maxDocumentBytes?: number; maxBodyBytes?: number };
  /** The runtime's default tenant: its corpora are stored under their bare names (see corpusIdFor). */
  defaultTenant: string;
  /** Where the runtime can tell its queue depth and dead letters, `/metrics` is served (Prometheus text). */
  metrics?: MetricsSource;
  /** Managing the tenant's API keys over HTTP (the console's keys page); absent: those routes answer 501. */
  apiKeys?: ApiKeyAdmin;
  /** Origins whose browser scripts may call the API besides the console's own (none by default; `*` for any). */
  corsOrigins?: readonly string[];
}

/**
 * A tenant's API keys as the HTTP API manages them (the ApiKeyStore port, less what only authentication
 * needs). A key is visible once, when made; an id names it afterwards.
 */
export type ApiKeyAdmin = Pick<ApiKeyStore, "list" | "create" | "revoke" | "idOf">;

export type AppEnv = { Variables: { tenant: string; apiKey: string; requestId: string } };
