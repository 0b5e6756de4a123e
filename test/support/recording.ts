import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RecordSummary } from '../../lambda/recording/adapters/telemetry.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import type { DetailType } from '../../lambda/shared/contract/event-types.ts';
import { createTestTables, scanAll, type TestTables } from './dynamo.ts';
import { exampleDetail } from './events.ts';
import { FixedFlag } from './flag.ts';

/** The recording handler on tables of its own, with a flag the test sets, and what it stored. */
export class RecordingRig {
  readonly flag = new FixedFlag('on');
  readonly record: (event: unknown) => Promise<RecordSummary>;
  private unique = 0;

  private constructor(readonly db: TestTables) {
    this.record = createRecordHandler(
      recordingDependencies({ client: db.doc, tables: db.names, flag: this.flag }),
    );
  }

  /** A rig on fresh tables of the shared DynamoDB Local. */
  static async start(): Promise<RecordingRig> {
    return new RecordingRig(await createTestTables());
  }

  /** The stored activity of a user under a key, read strongly consistently. */
  async activity(userId: string, idempotencyKey: string) {
    const { Item } = await this.db.doc.send(
      new GetCommand({
        TableName: this.db.names.activities,
        Key: { userId, idempotencyKey },
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  /** Every stored activity. */
  allActivities() {
    return scanAll(this.db.doc, this.db.names.activities);
  }

  /** A stored dead letter. */
  async deadLetter(id: string) {
    const { Item } = await this.db.doc.send(
      new GetCommand({ TableName: this.db.names.deadLetters, Key: { deadLetterId: id } }),
    );
    return Item;
  }

  /** A number no earlier call in this rig gave: the base of fresh ids. */
  freshNumber(): number {
    this.unique += 1;
    return this.unique;
  }

  /** A detail with fresh ids, so tests sharing the tables never share keys. */
  freshDetail(detailType: DetailType, overrides: Record<string, unknown> = {}) {
    const n = this.freshNumber() * 1000;
    const entity = { registrationId: n + 1, paymentId: `pay-${n}`, matchId: n + 2, disputeId: n + 3 };
    const users = { userIds: [`u${n}a`], participantUserIds: [`u${n}a`, `u${n}b`] };
    const roles = detailType === 'MatchResultSubmitted' ? { submittedByUserId: `u${n}a` } : {};
    const opener = detailType === 'DisputeOpened' ? { openedByUserId: `u${n}b` } : {};
    const winners =
      detailType === 'MatchFinalized' || detailType === 'TournamentCompleted'
        ? { winnerUserIds: [`u${n}a`] }
        : {};
    return exampleDetail(detailType, {
      tournamentId: `t${n}`,
      ...entity,
      ...users,
      ...roles,
      ...opener,
      ...winners,
      ...overrides,
    });
  }
}
