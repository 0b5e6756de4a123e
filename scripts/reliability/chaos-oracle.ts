import { isDeepStrictEqual } from 'node:util';
import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ProfileReader } from '../../lambda/read-api/adapters/profile-reader.ts';
import { activityFor } from '../../lambda/recording/domain/activities.ts';
import { userPartition } from '../../lambda/shared/aws/paging.ts';
import { deadLetterFor } from '../../lambda/shared/contract/dead-letter.ts';
import type { AcceptedEvent } from '../../lambda/shared/contract/events.ts';
import { type FlagSetting, isUserIncluded } from '../../lambda/shared/contract/flag.ts';
import { profileStatsOf } from '../../lambda/statistics/domain/profile-stats.ts';
import { type StatsActivity, statsOf } from '../../lambda/statistics/domain/stats.ts';
import { statsActivityOf } from '../../lambda/statistics/domain/stats-activity.ts';
import { storedProfileOf } from '../../lambda/statistics/domain/stats-items.ts';
import { namesOnly } from './chaos-erasure.ts';
import type { ScenarioEvent } from './scenario.ts';

/** An activity the oracle expects exactly once, by `${userId}|${idempotencyKey}`. */
export type ExpectedActivities = Map<string, StatsActivity & { payloadHash: string }>;

/** The oracle: a delivered copy records its action for every user the flag admitted at the time. */
export function admit(
  expected: ExpectedActivities,
  accepted: readonly (AcceptedEvent | undefined)[],
  copies: readonly number[],
  flag: FlagSetting,
): void {
  for (const i of copies) {
    const event = accepted[i];
    if (!event) continue;
    for (const userId of event.userIds) {
      if (!isUserIncluded(flag, userId)) continue;
      expected.set(`${userId}|${event.idempotencyKey}`, {
        ...statsActivityOf(activityFor(event, userId, new Date())),
        payloadHash: event.payloadHash,
      });
    }
  }
}

/** What a run's tables hold against the oracle. */
export interface UserVerdict {
  /** Expected activities missing, plus statistics below the oracle. */
  losses: number;
  /** Activities that must not exist (excluded user, unknown key), plus statistics above the oracle. */
  doubles: number;
  /**
   * Users whose statistics differ from the contract's in any field: the read API's against
   * `statsOf`, the stored items, overall and per game with streaks and recent form, against
   * `profileStatsOf`.
   */
  mismatches: number;
  /** Per-game statistics the oracle expected (one per user and game) and compared. */
  games: number;
}

/** Where the checks read: the tables, and the statistics through the profile reader. */
export interface OracleReaders {
  readonly doc: DynamoDBDocumentClient;
  readonly reader: ProfileReader;
  readonly activitiesTable: string;
  readonly statsTable: string;
  readonly log: (line: string) => void;
}

/** The fields `reference` defines, as `shown` has them, in the reference's order (the view shows more). */
function shownOf<T extends object>(shown: object, reference: T): T {
  const view = shown as Record<string, unknown>;
  return Object.fromEntries(Object.keys(reference).map((name) => [name, view[name]])) as T;
}

/** A user's statistics as the read API and the stored items show them, against the contract's. */
async function statisticsMatch(readers: OracleReaders, userId: string, mine: readonly StatsActivity[]) {
  const want = statsOf(userId, mine);
  const got = shownOf(await readers.reader.stats(userId), want);
  const profile = profileStatsOf(mine);
  const stored = storedProfileOf(await userPartition(readers.doc, readers.statsTable, userId));
  const same = JSON.stringify(got) === JSON.stringify(want) && isDeepStrictEqual(stored, profile);
  if (!same) {
    const games = (p: typeof profile) => JSON.stringify(Object.fromEntries(p.games));
    readers.log(
      `mismatch ${userId}: read ${JSON.stringify(got)} expected ${JSON.stringify(want)}; ` +
        `stored ${JSON.stringify(stored.overall)} ${games(stored)} expected ${JSON.stringify(profile.overall)} ${games(profile)}`,
    );
  }
  return {
    same,
    activityCount: got.activityCount,
    expectedCount: want.activityCount,
    games: profile.games.size,
  };
}

/** Compares each user's activities and statistics with the oracle's. */
export async function checkUsers(
  readers: OracleReaders,
  users: readonly string[],
  expected: ExpectedActivities,
): Promise<UserVerdict> {
  const verdict: UserVerdict = { losses: 0, doubles: 0, mismatches: 0, games: 0 };
  for (const userId of users) {
    const items = await userPartition(readers.doc, readers.activitiesTable, userId);
    const stored = new Map(items.map((item) => [String(item.idempotencyKey), item]));
    const mine = [...expected.values()].filter((a) => a.userId === userId);
    for (const activity of mine) {
      const item = stored.get(activity.idempotencyKey);
      if (!item) verdict.losses += 1;
      else if (item.payloadHash !== activity.payloadHash) verdict.doubles += 1;
    }
    verdict.doubles += [...stored.keys()].filter((key) => !mine.some((a) => a.idempotencyKey === key)).length;

    const { same, activityCount, expectedCount, games } = await statisticsMatch(readers, userId, mine);
    verdict.games += games;
    if (same) continue;
    verdict.mismatches += 1;
    if (activityCount < expectedCount) verdict.losses += 1;
    if (activityCount > expectedCount) verdict.doubles += 1;
  }
  return verdict;
}

/** Broken events without their dead letter (those naming only the erased user are not expected). */
export async function missingDeadLetters(
  doc: DynamoDBDocumentClient,
  where: { readonly eventSource: string; readonly deadLettersTable: string },
  events: readonly ScenarioEvent[],
  erasedUserId: string | undefined,
): Promise<number> {
  let missing = 0;
  for (const event of events.filter((e) => e.invalid && !namesOnly(e, erasedUserId))) {
    const { deadLetterId } = deadLetterFor(
      { source: where.eventSource, 'detail-type': event.detailType, detail: event.detail },
      'invalid',
      [],
      new Date(),
    );
    const { Item } = await doc.send(
      new GetCommand({ TableName: where.deadLettersTable, Key: { deadLetterId }, ConsistentRead: true }),
    );
    if (!Item) missing += 1;
  }
  return missing;
}

/** Valid events that exhausted their delivery attempts: their dead letters of kind `delivery-failed`. */
export async function deliveryFailures(
  doc: DynamoDBDocumentClient,
  deadLettersTable: string,
): Promise<number> {
  const { Items: failed = [] } = await doc.send(
    new ScanCommand({
      TableName: deadLettersTable,
      FilterExpression: '#k = :k',
      ExpressionAttributeNames: { '#k': 'kind' },
      ExpressionAttributeValues: { ':k': 'delivery-failed' },
      ConsistentRead: true,
    }),
  );
  return failed.length;
}
