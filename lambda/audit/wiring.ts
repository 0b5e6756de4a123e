import type { SSMClient } from '@aws-sdk/client-ssm';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws/dynamodb.ts';
import { ssmClient } from '../shared/aws/ssm.ts';
import type { AuditSweepOptions } from './adapters/audit-sweep.ts';
import { type SweepCursorStore, ssmSweepCursor } from './adapters/sweep-cursor.ts';
import { scheduledAuditConfig, streamAuditConfig } from './config.ts';
import type { AuditSweepSettings } from './constants.ts';

/**
 * The scheduled audit, wired one way for the deployed function and the tests: from the function's
 * environment, or from options that name the clients, tables and the cursor's parameter; and the
 * audit of the users the activity stream touched. (The local stack runs both in process:
 * local/audit.ts.)
 */

/** What one run of the scheduled audit reads and where it keeps its position. */
export interface ScheduledAuditDependencies {
  readonly sweep: Omit<AuditSweepOptions, 'cursor'>;
  readonly cursor: SweepCursorStore;
}

/** The audit's dependencies from options. */
export function scheduledAuditDependencies(options: {
  readonly client: DynamoDBDocumentClient;
  readonly ssm: SSMClient;
  readonly tables: { readonly activities: string; readonly stats: string };
  readonly cursorParameterName: string;
  readonly settings: Pick<AuditSweepSettings, 'itemsPerRun' | 'usersPerRun'>;
}): ScheduledAuditDependencies {
  return {
    sweep: {
      client: options.client,
      tables: options.tables,
      settings: options.settings,
    },
    cursor: ssmSweepCursor(options.ssm, options.cursorParameterName),
  };
}

/** The deployed function's dependencies, from its environment; clients live for the container. */
export function scheduledAuditDependenciesFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ScheduledAuditDependencies {
  const config = scheduledAuditConfig(env);
  return scheduledAuditDependencies({
    client: documentClient(),
    ssm: ssmClient(),
    tables: config.tables,
    cursorParameterName: config.cursorParameterName,
    settings: config.settings,
  });
}

/** What the audit of touched users reads: the activity and statistics tables. */
export type StreamAuditDependencies = Pick<AuditSweepOptions, 'client' | 'tables'>;

/** The stream audit's dependencies, from its environment; the client lives for the container. */
export function streamAuditDependenciesFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): StreamAuditDependencies {
  return { client: documentClient(), tables: streamAuditConfig(env).tables };
}
