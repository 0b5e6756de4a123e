import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditSweep, type SweepCursor, type UsersAudit } from '../lambda/audit/adapters/audit-sweep.ts';
import { AUDIT_DEFAULTS, type AuditSweepSettings } from '../lambda/audit/constants.ts';
import { createStreamAudit } from '../lambda/audit/stream-handler.ts';
import type { TableNames } from '../lambda/shared/tables.ts';
import { localStreamsClient } from './clients.ts';
import type { LocalMetrics } from './metric-feeds.ts';
import { startStreamConsumer } from './stream-consumer.ts';

/**
 * The audit, locally, both ways the stack deploys it: the users each batch of new activities
 * touched, from the activity stream (the same handler, started at LATEST like the deployed mapping),
 * and the scheduled sweep every period with its cursor in memory. Both feed the metric store the
 * duplicates and drift alarms read; each sweep run is an `AuditRuns` datapoint.
 */

/** The running local audit. */
export interface LocalAudit {
  /** One run of the sweep now (the deployed schedule runs it every period); returns what it found. */
  sweep(): Promise<UsersAudit>;
  /** Resolves once the stream audit has read everything written before the call. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startLocalAudit}. */
export interface LocalAuditOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly dynamodbEndpoint: string;
  readonly tables: TableNames;
  readonly metrics: LocalMetrics;
  /** Seconds between sweep runs. */
  readonly periodSeconds: number;
  /** Run the sweep on its schedule; off, it runs only when asked (`RunAudit`). @default true */
  readonly scheduled?: boolean;
  /** Items and users per sweep run. @default the deployed defaults */
  readonly settings?: Pick<AuditSweepSettings, 'itemsPerRun' | 'usersPerRun'>;
  readonly log: (line: string) => void;
}

function found(result: UsersAudit): string {
  return `${result.duplicates} duplicate activit(ies), ${result.drifted} user(s) with drifted statistics (${result.driftedUsers.join(', ')})`;
}

/** Starts the stream audit and the periodic sweep. */
export async function startLocalAudit(options: LocalAuditOptions): Promise<LocalAudit> {
  const { doc: client, tables, metrics, log } = options;
  const audit = createStreamAudit({ client, tables });
  const streams = localStreamsClient(options.dynamodbEndpoint);
  const consumer = await startStreamConsumer({
    streams,
    tableName: tables.activities,
    startingPosition: 'LATEST',
    handler: async (event) => {
      const result = await audit(event);
      metrics.audited(result, false);
      if (result.duplicates > 0 || result.drifted > 0) log(`audit     touched users: ${found(result)}`);
      return undefined;
    },
    onFailure: async (records, reason) =>
      log(`failed    audit of ${records.length} new activities: ${reason}`),
  });
  let cursor: SweepCursor;
  let running = Promise.resolve<UsersAudit | undefined>(undefined);
  const sweep = (): Promise<UsersAudit> => {
    const run = running.then(async () => {
      const result = await auditSweep({
        client,
        tables,
        settings: options.settings ?? AUDIT_DEFAULTS,
        cursor,
      });
      cursor = result.cursor;
      metrics.audited(result, true);
      if (result.duplicates > 0 || result.drifted > 0) log(`audit     sweep: ${found(result)}`);
      return result;
    });
    running = run.catch(() => undefined);
    return run;
  };
  // The schedule's first run at start, as a deploy is followed by the next scheduled tick.
  const onError = (error: Error) => log(`failed    audit sweep: ${error.message}`);
  const scheduled = options.scheduled ?? true;
  if (scheduled) void sweep().catch(onError);
  const timer = scheduled
    ? setInterval(() => void sweep().catch(onError), options.periodSeconds * 1000)
    : undefined;
  return {
    sweep,
    caughtUp: () => consumer.waitUntilIdle(),
    async stop() {
      if (timer) clearInterval(timer);
      await consumer.stop();
      await running;
      streams.destroy();
    },
  };
}
