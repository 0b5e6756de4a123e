import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { expect } from 'vitest';
import { ProfileReader } from '../../lambda/read-api/adapters/profile-reader.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';

import { DynamoProjectionStore } from '../../lambda/statistics/adapters/stats-store.ts';
import { statsOf } from '../../lambda/statistics/domain/stats.ts';
import { statsActivityOfItem } from '../../lambda/statistics/domain/stats-activity.ts';
import { createStatsHandler } from '../../lambda/statistics/handler.ts';
import { localStreamsClient } from '../../local/clients.ts';
import { readStreamRecords } from '../../local/stream-consumer.ts';
import { createTestTables, itemsOfUser, type TestTables } from './dynamo.ts';
import { bridgeEvent } from './events.ts';
import { FixedFlag } from './flag.ts';
import { type PlannedEvent, tournamentArbitrary } from './tournament.ts';

/** The users a planned tournament names, as strings. */
export const usersOf = (events: readonly PlannedEvent[]): Set<string> =>
  new Set(events.flatMap((e) => ((e.detail.participantUserIds ?? e.detail.userIds) as string[]).map(String)));

/**
 * Recording and the statistics projector on tables of their own, with the stream read back for
 * delivery by hand: what the statistics suites drive and check.
 */
export class ProjectionRig {
  readonly record: ReturnType<typeof createRecordHandler>;
  readonly store: DynamoProjectionStore;
  readonly project: ReturnType<typeof createStatsHandler>;
  readonly reader: ProfileReader;
  private runs = 0;

  private constructor(
    readonly db: TestTables,
    readonly streams: DynamoDBStreamsClient,
  ) {
    this.record = createRecordHandler(
      recordingDependencies({ client: db.doc, tables: db.names, flag: new FixedFlag('on') }),
    );
    this.store = new DynamoProjectionStore(db.doc, db.names.stats);
    this.project = createStatsHandler({ store: this.store });
    this.reader = new ProfileReader(db.doc, {
      activities: db.names.activities,
      stats: db.names.stats,
    });
  }

  /** A rig on fresh tables of the shared DynamoDB Local. */
  static async start(): Promise<ProjectionRig> {
    const db = await createTestTables();
    return new ProjectionRig(db, localStreamsClient(db.endpoint));
  }

  /** Closes the streams client. */
  close(): void {
    this.streams.destroy();
  }

  /** A user and entity id prefix no other run of the file uses. */
  nextPrefix(): string {
    this.runs += 1;
    return `r${this.runs}x${Math.random().toString(36).slice(2, 6)}-`;
  }

  /** Records the events one after the other, as the rules deliver them. */
  async publish(events: readonly PlannedEvent[]): Promise<void> {
    for (const e of events) await this.record(bridgeEvent(e.detailType, e.detail));
  }

  /** Every user's stored statistics must equal the reference over their stored activities. */
  async expectStatsMatchOracle(users: Iterable<string>): Promise<void> {
    for (const userId of users) {
      const activities = (await itemsOfUser(this.db.doc, this.db.names.activities, userId)).map(
        statsActivityOfItem,
      );
      const { winRate: _winRate, ...stored } = await this.reader.stats(userId);
      expect(stored, `statistics of ${userId}`).toMatchObject(statsOf(userId, activities));
    }
  }

  /** The stream records of the activities of users whose id starts with `prefix`. */
  async recordsWithPrefix(prefix: string): Promise<DynamoDBRecord[]> {
    return (await readStreamRecords(this.streams, this.db.names.activities)).filter((r) =>
      String(r.dynamodb?.NewImage?.userId?.S).startsWith(prefix),
    );
  }

  /** Delivers like Lambda: on a partial failure, again from the lowest failed sequence number. */
  async deliver(records: DynamoDBRecord[], handler = this.project): Promise<void> {
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 10) throw new Error('batch kept failing');
      const { batchItemFailures } = await handler({ Records: pending });
      if (batchItemFailures.length === 0) return;
      const lowest = batchItemFailures
        .map((f) => BigInt(f.itemIdentifier))
        .sort((a, b) => (a < b ? -1 : 1))[0];
      pending = pending.filter((r) => BigInt(r.dynamodb?.SequenceNumber ?? 0) >= (lowest ?? 0n));
    }
  }

  /** A generated tournament (the same for a seed), published and recorded, with its stream records. */
  async recordedTournament(seed: number) {
    const prefix = this.nextPrefix();
    const events = fc.sample(tournamentArbitrary(prefix), { numRuns: 1, seed })[0] ?? [];
    await this.publish(events);
    return { prefix, events, batch: await this.recordsWithPrefix(prefix) };
  }
}
