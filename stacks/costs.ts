import type { EndpointSettings, StageSettings } from "./settings.ts";

/**
 * On-demand list prices in USD, us-east-1, used for idle-cost estimates (other regions differ; see
 * https://aws.amazon.com/opensearch-service/pricing/, https://aws.amazon.com/sagemaker/pricing/,
 * https://aws.amazon.com/secrets-manager/pricing/, https://aws.amazon.com/cloudwatch/pricing/ and
 * https://aws.amazon.com/lambda/pricing/). An instance type missing here is reported as unpriced.
 */
export const PRICES = {
  hoursPerMonth: 730,
  openSearchInstanceHour: {
    "t3.small": 0.036,
    "t3.medium": 0.073,
    "m6g.large": 0.128,
    "r6g.large": 0.167,
    "r6g.xlarge": 0.335,
  } as Record<string, number>,
  openSearchGp3GbMonth: 0.122,
  sageMakerHostingHour: {
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.c6i.large": 0.102,
    "ml.c6i.xlarge": 0.204,
    "ml.c6i.2xlarge": 0.408,
    "ml.g5.xlarge": 1.408,
  } as Record<string, number>,
  secretMonth: 0.4,
  alarmMonth: 0.1,
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.0000002,
};

/** What every genq function is given (infra/functions.ts) and what one reconciler pass is assumed to take. */
export const FUNCTION_MEMORY_MB = 2048;
const RECONCILE_SECONDS = 2;

export interface CostLine {
  item: string;
  usdPerMonth: number;
}
export interface IdleCost {
  lines: CostLine[];
  totalUsdPerMonth: number;
  /** Instance types with no price in PRICES: the total leaves them out. */
  unpriced: string[];
}

/**
 * What a stage costs per month with no documents and no runs: what runs around the clock (OpenSearch
 * nodes and their storage, real-time endpoints, the password secret, the dead-letter alarm, the
 * reconciler's schedule). Pay-per-use parts (Lambda on requests, serverless endpoints, DynamoDB
 * on demand, S3, SageMaker jobs) cost nothing idle; stored data is extra.
 */
export function estimateIdleCost(s: StageSettings): IdleCost {
  const lines: CostLine[] = [];
  const unpriced: string[] = [];
  const hourly = (table: Record<string, number>, type: string) => {
    const price = table[type];
    if (price === undefined) unpriced.push(type);
    return price ?? 0;
  };
  const n = s.search.instanceCount;
  lines.push({
    item: `OpenSearch ${n} × ${s.search.instance}.search`,
    usdPerMonth: n * hourly(PRICES.openSearchInstanceHour, s.search.instance) * PRICES.hoursPerMonth,
  });
  lines.push({
    item: `OpenSearch storage ${n} × ${s.search.volumeGb} GB gp3`,
    usdPerMonth: n * s.search.volumeGb * PRICES.openSearchGp3GbMonth,
  });
  const endpoint = (label: string, e: EndpointSettings) => {
    if (e.mode === "real-time")
      lines.push({
        item: `${label} ${e.instanceCount} × ${e.instanceType}`,
        usdPerMonth: e.instanceCount * hourly(PRICES.sageMakerHostingHour, e.instanceType) * PRICES.hoursPerMonth,
      });
    else lines.push({ item: `${label} (serverless)`, usdPerMonth: 0 });
  };
  endpoint("encoder endpoint", s.endpoint);
  if (s.qaReader) endpoint("reader endpoint", s.qaReader.endpoint);
  lines.push({
    item: "OpenSearch password secret, dead-letter alarm",
    usdPerMonth: PRICES.secretMonth + PRICES.alarmMonth,
  });
  const passes = (PRICES.hoursPerMonth * 60) / s.reconcileEveryMinutes;
  lines.push({
    item: `reconciler every ${s.reconcileEveryMinutes} min`,
    usdPerMonth:
      passes * (PRICES.lambdaRequest + RECONCILE_SECONDS * (FUNCTION_MEMORY_MB / 1024) * PRICES.lambdaGbSecond),
  });
  const total = lines.reduce((sum, l) => sum + l.usdPerMonth, 0);
  return { lines, totalUsdPerMonth: Math.round(total * 100) / 100, unpriced };
}

/** The README's cost table for the given stages: one row per stage, its parts and its total. */
export function idleCostTable(stages: StageSettings[]): string {
  const rows = stages.map((s) => {
    const c = estimateIdleCost(s);
    const parts = c.lines
      .filter((l) => l.usdPerMonth >= 0.005)
      .map((l) => `${l.item} $${l.usdPerMonth.toFixed(2)}`)
      .join("; ");
    return `| \`${s.stage}\` | ${parts} | **$${c.totalUsdPerMonth.toFixed(2)}** |`;
  });
  return [
    "| stage | runs around the clock (USD/month, us-east-1 list prices) | idle total |",
    "|---|---|---|",
    ...rows,
  ].join("\n");
}
