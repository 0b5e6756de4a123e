import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { scanPages, userPartition } from '../../shared/aws/paging.ts';

import { ERASURE_LOG_PARTITION } from '../../shared/erased-users.ts';
import type { TableNames } from '../../shared/tables.ts';
import { readStatsPartition, statsActivityOfItem } from '../../statistics/index.ts';
import {
  type AuditedUser,
  type AuditOptions,
  type AuditReport,
  type AuditStore,
  auditUsers,
} from '../application/audit.ts';
import type { RepairWrite } from '../application/audit-repair.ts';
import { transactWrite } from './audit-writes.ts';

/** The activity and statistics tables audit reads and repairs. */
export interface AuditTables {
  readonly client: DynamoDBDocumentClient;
  readonly tables: Pick<TableNames, 'activities' | 'stats'>;
}

/** Audit's store on DynamoDB: whole partitions read strongly consistent, repairs as one transaction. */
export class DynamoAuditStore implements AuditStore {
  constructor(private readonly store: AuditTables) {}

  async readUser(userId: string): Promise<AuditedUser> {
    const { client, tables } = this.store;
    const [activityItems, statsItems] = await Promise.all([
      userPartition(client, tables.activities, userId),
      userPartition(client, tables.stats, userId),
    ]);
    const { stats, slots, applied, storedMatchesPlayed, scopes, views, sequences } =
      readStatsPartition(statsItems);
    return {
      activities: activityItems.map(statsActivityOfItem),
      recorded: activityItems.map((item) => ({
        idempotencyKey: String(item.idempotencyKey),
        payloadHash: String(item.payloadHash),
        detailType: String(item.detailType),
      })),
      applied,
      slots,
      stats,
      storedMatchesPlayed,
      scopes,
      views,
      sequences,
    };
  }

  async *users(progress: { itemsScanned: number }): AsyncGenerator<string> {
    const seen = new Set<string>();
    // Users with activities, then users with statistics but no activity left (also drift).
    for (const table of [this.store.tables.activities, this.store.tables.stats]) {
      const pages = scanPages(this.store.client, {
        TableName: table,
        ProjectionExpression: '#u',
        ExpressionAttributeNames: { '#u': 'userId' },
      });
      for await (const items of pages) {
        progress.itemsScanned += items.length;
        for (const item of items) {
          const userId = String(item.userId);
          // The erasure log's partition is nobody's profile.
          if (userId === ERASURE_LOG_PARTITION || seen.has(userId)) continue;
          seen.add(userId);
          yield userId;
        }
      }
    }
  }

  async approximateItems(): Promise<number> {
    const described = await Promise.all(
      [this.store.tables.activities, this.store.tables.stats].map((TableName) =>
        this.store.client.send(new DescribeTableCommand({ TableName })).then((d) => d.Table?.ItemCount ?? 0),
      ),
    );
    return described.reduce((a, b) => a + b, 0);
  }

  writeRepair(write: RepairWrite): Promise<'committed' | 'conflict'> {
    return transactWrite(this.store.client, this.store.tables.stats, write);
  }
}

/**
 * Compares stored statistics with the reference definition for one user or all users of the
 * DynamoDB tables and, with `repair`, rewrites what drifted (see {@link auditUsers}).
 */
export function auditStatistics(options: AuditTables & AuditOptions): Promise<AuditReport> {
  return auditUsers(new DynamoAuditStore(options), options);
}
