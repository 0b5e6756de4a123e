import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand } from '@aws-sdk/client-ssm';
import { documentClient } from '../shared/aws/dynamodb.ts';
import { logger, metrics } from '../shared/aws/powertools.ts';
import { ssmClient } from '../shared/aws/ssm.ts';
import { ConfigurationError } from '../shared/errors.ts';
import { type AuditSweepResult, auditSweep, type SweepCursor } from './adapters/audit-sweep.ts';
import { AUDIT_DEFAULTS, AUDIT_METRIC, type AuditSweepSettings } from './domain/audit-sweep.ts';

/** Settings of the scheduled audit function. */
export interface ScheduledAuditConfig {
  readonly activityTableName: string;
  readonly statsTableName: string;
  /** SSM parameter holding where the sweep stopped; written by the function itself. */
  readonly cursorParameterName: string;
  readonly settings: Pick<AuditSweepSettings, 'itemsPerRun' | 'usersPerRun'>;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigurationError(`${name} must be a whole number ≥ 1, got "${raw}"`);
  return value;
}

/** Reads the settings; a missing one is a deployment fault the error names. */
export function scheduledAuditConfig(env: NodeJS.ProcessEnv = process.env): ScheduledAuditConfig {
  const { ACTIVITY_TABLE_NAME, STATS_TABLE_NAME, AUDIT_CURSOR_PARAMETER } = env;
  if (!ACTIVITY_TABLE_NAME || !STATS_TABLE_NAME || !AUDIT_CURSOR_PARAMETER)
    throw new ConfigurationError(
      'ACTIVITY_TABLE_NAME, STATS_TABLE_NAME and AUDIT_CURSOR_PARAMETER must be set: the stack passes them to the audit function',
    );
  return {
    activityTableName: ACTIVITY_TABLE_NAME,
    statsTableName: STATS_TABLE_NAME,
    cursorParameterName: AUDIT_CURSOR_PARAMETER,
    settings: {
      itemsPerRun: positive(env, 'AUDIT_ITEMS_PER_RUN', AUDIT_DEFAULTS.itemsPerRun),
      usersPerRun: positive(env, 'AUDIT_USERS_PER_RUN', AUDIT_DEFAULTS.usersPerRun),
    },
  };
}

const client = documentClient();
const ssm = ssmClient();

async function readCursor(name: string): Promise<SweepCursor> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    const value = Parameter?.Value;
    return value && value !== 'start' ? (JSON.parse(value) as SweepCursor) : undefined;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}

/**
 * One run of the scheduled audit: continues the sweep of the activity table where the last run
 * stopped, publishes `AuditDuplicateActivities` and `AuditStatisticsDrift` (stop conditions) and
 * saves where it stopped. Read-only on the tables: repair stays an operator's `tpi audit --repair`.
 */
export async function handler(): Promise<AuditSweepResult> {
  const config = scheduledAuditConfig();
  const cursor = await readCursor(config.cursorParameterName);
  const result = await auditSweep({
    client,
    activityTable: config.activityTableName,
    statsTable: config.statsTableName,
    settings: config.settings,
    cursor,
  });
  await ssm.send(
    new PutParameterCommand({
      Name: config.cursorParameterName,
      Value: result.cursor ? JSON.stringify(result.cursor) : 'start',
      Type: 'String',
      Overwrite: true,
    }),
  );
  metrics.addMetric(AUDIT_METRIC.duplicates, MetricUnit.Count, result.duplicates);
  metrics.addMetric(AUDIT_METRIC.drift, MetricUnit.Count, result.drifted);
  metrics.addMetric(AUDIT_METRIC.usersChecked, MetricUnit.Count, result.usersChecked);
  metrics.addMetric(AUDIT_METRIC.runs, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  const log = result.duplicates > 0 || result.drifted > 0 ? logger.warn : logger.info;
  log.call(logger, 'scheduled audit run', {
    usersChecked: result.usersChecked,
    itemsScanned: result.itemsScanned,
    duplicates: result.duplicates,
    driftedUsers: result.driftedUsers,
    sweepRestarts: result.cursor === undefined,
  });
  return result;
}
