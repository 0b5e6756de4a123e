import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../../shared/tables.ts';
import type { AuditSweepSettings } from '../constants.ts';
import { auditStatistics } from './audit-store.ts';

/** Where the previous run stopped: the activity table key of the last item it read. */
export type SweepCursor = Readonly<Record<string, unknown>> | undefined;

/** Where one run of the scheduled audit reads. */
export interface AuditSweepOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tables: Pick<TableNames, 'activities' | 'stats'>;
  readonly settings: Pick<AuditSweepSettings, 'itemsPerRun' | 'usersPerRun'>;
  readonly cursor: SweepCursor;
}

/** What one run found. */
export interface AuditSweepResult extends UsersAudit {
  readonly itemsScanned: number;
  /** Where the next run starts; `undefined` once the sweep reached the end (the next run starts over). */
  readonly cursor: SweepCursor;
}

/** Users of one run, in scan order, stopping at a user boundary within both budgets. */
async function nextUsers(options: AuditSweepOptions): Promise<{
  users: string[];
  itemsScanned: number;
  cursor: SweepCursor;
}> {
  const users: string[] = [];
  let itemsScanned = 0;
  let startKey = options.cursor as Record<string, unknown> | undefined;
  let lastKey: Record<string, unknown> | undefined = startKey;
  while (itemsScanned < options.settings.itemsPerRun) {
    const page = await options.client.send(
      new ScanCommand({
        TableName: options.tables.activities,
        ProjectionExpression: '#u, #k',
        ExpressionAttributeNames: { '#u': 'userId', '#k': 'idempotencyKey' },
        Limit: options.settings.itemsPerRun - itemsScanned,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const userId = String(item.userId);
      if (users.at(-1) !== userId) {
        // A user's items are contiguous in a scan: a new id is a new user.
        if (users.length >= options.settings.usersPerRun) return { users, itemsScanned, cursor: lastKey };
        users.push(userId);
      }
      itemsScanned += 1;
      lastKey = { userId: item.userId, idempotencyKey: item.idempotencyKey };
    }
    if (!page.LastEvaluatedKey) return { users, itemsScanned, cursor: undefined };
    startKey = page.LastEvaluatedKey;
  }
  return { users, itemsScanned, cursor: lastKey };
}

/** What auditing a set of users found. */
export interface UsersAudit {
  readonly usersChecked: number;
  /** Extra activity items recording the same detail under another key (see `duplicateActivities`). */
  readonly duplicates: number;
  /** Users whose statistics differ from their applied activities on two reads in a row. */
  readonly drifted: number;
  readonly driftedUsers: readonly string[];
}

/**
 * Audits each of `users` with the per-user comparison (`auditStatistics`): duplicate activities and
 * statistics drift. Read-only. The projector may be between its reads and its write, so drift
 * counts only when a second read still shows it. The scheduled sweep and the audit of the users the
 * activity stream touched both judge users this one way.
 */
export async function auditUsersOnce(
  options: Pick<AuditSweepOptions, 'client' | 'tables'>,
  users: readonly string[],
): Promise<UsersAudit> {
  let duplicates = 0;
  const driftedUsers: string[] = [];
  const audit = (userId: string) =>
    auditStatistics({ client: options.client, tables: options.tables, userId });
  for (const userId of users) {
    const first = await audit(userId);
    duplicates += first.duplicates;
    if (first.drifted.length > 0 && (await audit(userId)).drifted.length > 0) driftedUsers.push(userId);
  }
  return { usersChecked: users.length, duplicates, drifted: driftedUsers.length, driftedUsers };
}

/**
 * One run of the scheduled audit: the next users of the activity table from `cursor`, within the
 * run's item and user budgets, each audited by {@link auditUsersOnce}. A user cut by the item budget
 * is audited whole and read again from its next item by the following run, which costs a little and
 * misses nothing.
 */
export async function auditSweep(options: AuditSweepOptions): Promise<AuditSweepResult> {
  const { users, itemsScanned, cursor } = await nextUsers(options);
  return { ...(await auditUsersOnce(options, users)), itemsScanned, cursor };
}
