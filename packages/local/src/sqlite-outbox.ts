import { randomUUID } from "node:crypto";
import {
  MalformedEventError,
  StorageError,
  parseEvent,
  type Clock,
  type EventHandler,
  type EventPublisher,
  type GenqEvent,
  type Logger,
  silentLogger,
  systemClock,
} from "@genq/core";
import type { Statement } from "better-sqlite3";
import { faultOf } from "./storage-errors.ts";
import type { SqliteDatabase } from "./sqlite.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  corpus TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, available_at, seq);
CREATE TABLE IF NOT EXISTS dead_letters (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  corpus TEXT NOT NULL,
  payload TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  failed_at TEXT NOT NULL
);
`;

export interface OutboxOptions {
  /** Deliveries before an event that keeps failing is dead-lettered. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. */
  baseDelayMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Told after events are stored (a delivery loop elsewhere can stop waiting). */
  onPublish?: () => void;
}

export interface DeadLetter {
  id: string;
  type: string;
  corpus: string;
  payload: string;
  reason: string;
  attempts: number;
  failedAt: string;
}

export interface DrainResult {
  delivered: number;
  retried: number;
  deadLettered: number;
}

/** A stored event with its position in the stream (for followers such as SSE). */
export interface StreamedEvent {
  seq: number;
  event: GenqEvent;
}

export interface SqliteOutbox extends EventPublisher {
  /**
   * Deliver due events to `handler` in order until none is due (or `limit` deliveries). An event is
   * marked delivered only after the handler returns, so a crash re-delivers it (at least once). A
   * MalformedEventError dead-letters at once; other errors retry with exponential backoff until
   * maxAttempts, then dead-letter with the last error as the reason.
   */
  drain(
    handler: EventHandler,
    options?: { limit?: number; onDelivered?: (e: GenqEvent) => void },
  ): Promise<DrainResult>;
  /** Events not yet delivered (optionally for one corpus and/or type, and/or about one object: `detail.key`). */
  pendingCount(filter?: { corpus?: string; type?: string; key?: string }): number;
  /** Milliseconds until the next pending event is due, or null when none is pending. */
  nextDueInMs(): number | null;
  deadLetters(corpus?: string): DeadLetter[];
  /** Events after `afterSeq` in publication order, for followers (SSE, `status --follow`). */
  readAfter(afterSeq: number, limit?: number): StreamedEvent[];
  lastSeq(): number;
  /** Whether an event with this id was ever published (delivered or not). */
  has(id: string): boolean;
  /** Put a raw, possibly malformed payload in the outbox (what an external producer might send). */
  enqueueRaw(id: string, type: string, corpus: string, payload: string): void;
}

/**
 * Durable event bus on SQLite (the local stand-in for EventBridge): publishing is an INSERT in the same
 * database as the pipeline state, duplicate ids are ignored, and delivery survives restarts.
 */
export function createSqliteOutbox(db: SqliteDatabase, options: OutboxOptions = {}): SqliteOutbox {
  db.exec(SCHEMA);
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;

  const insert = db.prepare(
    "INSERT INTO outbox (id, type, corpus, payload, available_at, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
  );
  const due = db.prepare<
    [number],
    { seq: number; id: string; payload: string; attempts: number; type: string; corpus: string }
  >(
    "SELECT seq, id, payload, attempts, type, corpus FROM outbox WHERE status = 'pending' AND available_at <= ? ORDER BY seq LIMIT 1",
  );
  const markDone = db.prepare("UPDATE outbox SET status = 'done', attempts = attempts + 1 WHERE seq = ?");
  const markRetry = db.prepare("UPDATE outbox SET attempts = ?, available_at = ?, last_error = ? WHERE seq = ?");
  const markDead = db.prepare("UPDATE outbox SET status = 'dead', attempts = ?, last_error = ? WHERE seq = ?");
  const insertDead = db.prepare(
    "INSERT OR REPLACE INTO dead_letters (id, type, corpus, payload, reason, attempts, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const hasId = db.prepare("SELECT 1 FROM outbox WHERE id = ?");
  const lastSeqStmt = db.prepare<[], { s: number }>("SELECT coalesce(max(seq), 0) AS s FROM outbox");
  const nextDue = db.prepare<[], { at: number | null }>(
    "SELECT min(available_at) AS at FROM outbox WHERE status = 'pending'",
  );
  const readAfterStmt = db.prepare<[number, number], { seq: number; payload: string }>(
    "SELECT seq, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
  );
  const pendingStmts = new Map<string, Statement<string[]>>();
  const deadLetter = db.transaction(
    (
      row: { seq: number; id: string; type: string; corpus: string; payload: string },
      attempts: number,
      reason: string,
    ) => {
      markDead.run(attempts, reason, row.seq);
      insertDead.run(row.id, row.type, row.corpus, row.payload, reason, attempts, clock.now().toISOString());
    },
  );

  const outbox: SqliteOutbox = {
    async publish(inputs) {
      const now = clock.now();
      const events = inputs.map((input) =>
        parseEvent({ ...input, id: input.id ?? randomUUID(), time: now.toISOString() }),
      );
      db.transaction(() => {
        for (const e of events) insert.run(e.id, e.type, e.corpus, JSON.stringify(e), now.getTime(), now.toISOString());
      })();
      options.onPublish?.();
      return events;
    },
    enqueueRaw(id, type, corpus, payload) {
      const now = clock.now();
      insert.run(id, type, corpus, payload, now.getTime(), now.toISOString());
    },
    async drain(handler, drainOptions = {}) {
      const result: DrainResult = { delivered: 0, retried: 0, deadLettered: 0 };
      const limit = drainOptions.limit ?? Number.POSITIVE_INFINITY;
      while (result.delivered + result.retried + result.deadLettered < limit) {
        const row = due.get(clock.now().getTime());
        if (!row) break;
        const attempts = row.attempts + 1;
        try {
          const event = parseEvent(JSON.parse(row.payload));
          await handler(event);
          markDone.run(row.seq);
          result.delivered++;
          drainOptions.onDelivered?.(event);
        } catch (error) {
          // A full disk or a damaged database is not this event's fault: it stays pending, unretried,
          // and the fault reaches the caller (which stops with the file named) instead of burning retries.
          if (faultOf(error) || error instanceof StorageError) throw error;
          const reason = error instanceof Error ? error.message : String(error);
          const poison = error instanceof MalformedEventError || error instanceof SyntaxError;
          if (poison || attempts >= maxAttempts) {
            deadLetter(row, attempts, poison ? reason : `gave up after ${attempts} attempts: ${reason}`);
            result.deadLettered++;
            logger.error("event dead-lettered", { id: row.id, type: row.type, reason });
          } else {
            const delay = baseDelayMs * 2 ** (attempts - 1);
            markRetry.run(attempts, clock.now().getTime() + delay, reason, row.seq);
            result.retried++;
            logger.warn("event delivery failed, will retry", {
              id: row.id,
              type: row.type,
              attempts,
              delayMs: delay,
              reason,
            });
          }
        }
      }
      return result;
    },
    pendingCount(filter = {}) {
      const clauses = ["status = 'pending'"];
      const args: string[] = [];
      if (filter.corpus) {
        clauses.push("corpus = ?");
        args.push(filter.corpus);
      }
      if (filter.type) {
        clauses.push("type = ?");
        args.push(filter.type);
      }
      if (filter.key) {
        clauses.push("json_extract(payload, '$.detail.key') = ?");
        args.push(filter.key);
      }
      const sql = `SELECT count(*) AS n FROM outbox WHERE ${clauses.join(" AND ")}`;
      let st = pendingStmts.get(sql);
      if (!st) pendingStmts.set(sql, (st = db.prepare<string[]>(sql)));
      return (st.get(...args) as { n: number }).n;
    },
    nextDueInMs() {
      const row = nextDue.get()!;
      return row.at === null ? null : Math.max(0, row.at - clock.now().getTime());
    },
    deadLetters(corpus) {
      const rows = (
        corpus
          ? db.prepare("SELECT * FROM dead_letters WHERE corpus = ? ORDER BY failed_at").all(corpus)
          : db.prepare("SELECT * FROM dead_letters ORDER BY failed_at").all()
      ) as Array<Omit<DeadLetter, "failedAt"> & { failed_at: string }>;
      return rows.map(({ failed_at, ...r }) => ({ ...r, failedAt: failed_at }));
    },
    readAfter(afterSeq, limit = 100) {
      const rows = readAfterStmt.all(afterSeq, limit);
      const out: StreamedEvent[] = [];
      for (const r of rows) {
        try {
          out.push({ seq: r.seq, event: parseEvent(JSON.parse(r.payload)) });
        } catch {
          // A malformed raw payload is not part of the public stream.
        }
      }
      return out;
    },
    has(id) {
      return hasId.get(id) !== undefined;
    },
    lastSeq() {
      return lastSeqStmt.get()!.s;
    },
  };
  return outbox;
}
