/**
 * The load generator, run as its own process by load.bench.ts: autocannon POSTing search requests
 * (rotating through a few queries) for a bounded time at 127.0.0.1, then printing its JSON result.
 */
import autocannon from "autocannon";

const [url, key, seconds, connections] = process.argv.slice(2);
const queries = [
  "how do I create an index on an expression?",
  "what does vacuum do",
  "difference between varchar and text",
  "partial index example",
  "transaction isolation levels",
  "restore a dump with pg_restore",
  "full text search ranking",
  "foreign key constraint",
];
const result = await autocannon({
  url: `${url}/v1/corpora/examples/search`,
  duration: Number(seconds),
  connections: Number(connections),
  requests: queries.map((query) => ({
    method: "POST" as const,
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, k: 10 }),
  })),
});
process.stdout.write(
  JSON.stringify({
    requests: result.requests,
    latency: result.latency,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
    duration: result.duration,
  }),
);
