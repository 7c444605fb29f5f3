import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { isTerminal, type PipelineRepository } from "@genq/core";

/** What `/metrics` reads from the runtime beyond requests: the event queue and its dead letters. */
export interface MetricsSource {
  /** Events waiting for delivery (the durable queue's depth). */
  queueDepth(): Promise<number>;
  /** Events given up on and dead-lettered. */
  deadLetters(): Promise<number>;
}

/**
 * The app's Prometheus metrics (prom-client, one registry per app): HTTP requests by method, route
 * pattern and status with their latency, the durations of finished runs by outcome, the event queue's
 * depth and dead letters, and the process's own metrics. Runs are read from the repository when
 * scraped, so every serving process reports every run.
 */
export function createApiMetrics(repo: PipelineRepository, source: MetricsSource) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "genq_" });
  const requests = new Counter({
    name: "genq_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "genq_http_request_duration_seconds",
    help: "HTTP request latency by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const runs = new Histogram({
    name: "genq_run_duration_seconds",
    help: "Wall time of finished runs, from start to outcome, by outcome",
    labelNames: ["outcome"] as const,
    buckets: [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400, 43_200, 86_400],
    registers: [registry],
  });
  const inProgress = new Gauge({ name: "genq_runs_in_progress", help: "Runs not yet finished", registers: [registry] });
  const observed = new Set<string>();
  // Before each scrape (prom-client collects metrics concurrently, so this cannot be one metric's collect).
  const scanRuns = async () => {
    let active = 0;
    for (const corpus of await repo.listCorpora()) {
      for (const run of await repo.listRuns(corpus.name)) {
        if (!isTerminal(run.state)) active++;
        else if (!observed.has(run.id)) {
          observed.add(run.id);
          runs.observe(
            { outcome: run.state },
            Math.max(0, (Date.parse(run.updatedAt) - Date.parse(run.createdAt)) / 1000),
          );
        }
      }
    }
    inProgress.set(active);
  };
  new Gauge({
    name: "genq_event_queue_depth",
    help: "Events waiting for delivery",
    registers: [registry],
    async collect() {
      this.set(await source.queueDepth());
    },
  });
  new Gauge({
    name: "genq_dead_letters",
    help: "Events dead-lettered after failing for good",
    registers: [registry],
    async collect() {
      this.set(await source.deadLetters());
    },
  });
  return {
    contentType: registry.contentType,
    /** The exposition text of every metric, runs read afresh. */
    async render(): Promise<string> {
      await scanRuns();
      return registry.metrics();
    },
    observeRequest(method: string, route: string, status: number, seconds: number) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
  };
}
