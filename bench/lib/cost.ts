/**
 * What a million events cost, from metered usage and published on-demand prices. Pure: the bench
 * measures the usage, this prices it (docs/performance.md shows the prices and the result).
 */

/** Published prices, us-east-1, on-demand, arm64 Lambda (USD per unit). */
export const PRICES = {
  /** DynamoDB on-demand write request unit. */
  dynamoWriteUnit: 0.625 / 1e6,
  /** DynamoDB on-demand read request unit. */
  dynamoReadUnit: 0.125 / 1e6,
  /** Lambda request (invocation). */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda duration on arm64, per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** EventBridge custom event published, per 64 KB chunk. */
  eventBridgeEvent: 1 / 1e6,
  /** DynamoDB Streams reads made by a Lambda event source mapping are not charged. */
  streamReadByLambda: 0,
} as const;

/** Usage of one design over a metered season (all figures are totals of the season). */
export interface SeasonUsage {
  /** Distinct events published. */
  readonly events: number;
  /** Deliveries to the recording function (duplicates included). */
  readonly deliveries: number;
  /** 64 KB chunks EventBridge bills for the published events (a publisher retry is billed again). */
  readonly eventChunks: number;
  /** Write units of recording: new items, their index copies, idempotency records. */
  readonly recordWrite: number;
  /** Write units of duplicates (failed conditional writes). */
  readonly duplicateWrite: number;
  /** Write and read units of the statistics projector. */
  readonly statsWrite: number;
  readonly statsRead: number;
  /** Activity inserts the stream carries to the projector (and to the audit of touched users). */
  readonly streamRecords: number;
  /**
   * Read units of the audit of touched users: each batch's users' partitions of both tables, read
   * strongly consistently. It grows with the touched users' histories, not with the table.
   */
  readonly auditRead: number;
}

/** What the bench cannot measure locally: stated, and shown beside the result. */
export interface CostAssumptions {
  /** Configured memory of both functions (infra/stack.ts). */
  readonly memoryMb: number;
  /** Billed duration of one recording invocation. */
  readonly recordingMs: number;
  /** Billed duration of one statistics batch. */
  readonly statsBatchMs: number;
  /**
   * Stream records per invocation of either stream reader, the statistics projector and the audit
   * of touched users (up to their batch size of 100 under load).
   */
  readonly recordsPerStatsBatch: number;
  /** Billed duration of one audit batch (each touched user's two partition queries). */
  readonly auditBatchMs: number;
}

/** One line of the cost table. */
export interface CostLine {
  readonly component: string;
  /** Units per million events (write units, invocations, GB-seconds, ...). */
  readonly units: number;
  readonly unit: string;
  readonly usd: number;
}

/** The cost of a million events of the season's mix, line by line, and the total. */
export function costPerMillion(
  usage: SeasonUsage,
  assumptions: CostAssumptions,
  prices: typeof PRICES = PRICES,
): { lines: CostLine[]; total: number } {
  const scale = 1e6 / usage.events;
  const streamInvocations = usage.streamRecords / assumptions.recordsPerStatsBatch;
  const gb = assumptions.memoryMb / 1024;
  const gbSeconds =
    (usage.deliveries * assumptions.recordingMs +
      streamInvocations * (assumptions.statsBatchMs + assumptions.auditBatchMs)) *
    (gb / 1000);
  const line = (component: string, total: number, unit: string, price: number): CostLine => ({
    component,
    units: total * scale,
    unit,
    usd: total * scale * price,
  });
  const lines = [
    line('EventBridge events published', usage.eventChunks, '64 KB chunks', prices.eventBridgeEvent),
    line('DynamoDB writes: recording', usage.recordWrite, 'write units', prices.dynamoWriteUnit),
    line('DynamoDB writes: duplicates', usage.duplicateWrite, 'write units', prices.dynamoWriteUnit),
    line('DynamoDB writes: statistics', usage.statsWrite, 'write units', prices.dynamoWriteUnit),
    line('DynamoDB reads: statistics', usage.statsRead, 'read units', prices.dynamoReadUnit),
    line('DynamoDB reads: audit of touched users', usage.auditRead, 'read units', prices.dynamoReadUnit),
    // Two readers of the stream: the projector and the audit of touched users.
    line(
      'DynamoDB stream reads (Lambda trigger)',
      2 * usage.streamRecords,
      'records',
      prices.streamReadByLambda,
    ),
    line('Lambda invocations', usage.deliveries + 2 * streamInvocations, 'requests', prices.lambdaRequest),
    line('Lambda duration', gbSeconds, 'GB-seconds', prices.lambdaGbSecond),
  ];
  return { lines, total: lines.reduce((sum, l) => sum + l.usd, 0) };
}
