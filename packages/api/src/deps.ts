import type { ApiKeyStore, BlobStore, Clock, Encoder, EventPublisher, GenqEvent, Generator, Logger, PipelineRepository, Reader, Run, SearchIndex } from "@genq/core";

/** A position in the event stream and the event there. */
export interface FeedItem {
  seq: number;
  event: GenqEvent;
}

/**
 * What the HTTP app needs; each runtime's composition root provides it. The app itself never chooses
 * an adapter, so the same app serves locally and on Lambda.
 */
export interface ApiDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  index: SearchIndex;
  clock: Clock;
  logger: Logger;
  encoderFor(modelId: string): Promise<Encoder>;
  reader: Reader;
  generator: Generator;
  /** The tenant an API key belongs to, or null for an unknown key. */
  authenticate(apiKey: string): Promise<string | null>;
  startRun(input: { tenant: string; corpus: string }): Promise<Run>;
  /** Delete a tenant's corpus with everything it owns (the runtime's deployer retires its models). */
  deleteCorpus(input: { tenant: string; corpus: string }): Promise<{ runs: number; objects: number }>;
  /** API keys: the caller lists, makes and revokes its own tenant's keys. */
  apiKeys: ApiKeyStore;
  /** genq's stage events in order (the local stand-in for subscribing to the event bus); absent where the runtime has none. */
  eventFeed?: { after(seq: number, limit: number): Promise<FeedItem[]>; last(): Promise<number> };
  limits: {
    /** Largest document `POST …/documents` takes (decoded bytes). */
    maxUploadBytes: number;
    /** Largest document a presigned upload may carry; defaults to maxUploadBytes. */
    maxDocumentBytes?: number;
    /** Request bodies over this are refused with 413 before they are read (Lambda's payload limit). */
    maxRequestBytes?: number;
  };
}

export type AppEnv = { Variables: { tenant: string } };
