import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { DynamoErasureStore, type ErasureTables } from '../../lambda/erasure/adapters/erasure-store.ts';
import { type EraseReport, eraseUser } from '../../lambda/erasure/application/erase-user.ts';
import { erasureSettleSeconds } from '../../lambda/erasure/constants.ts';
import { userPartition } from '../../lambda/shared/aws/paging.ts';
import { usersNamedBy } from '../../lambda/shared/contract/dead-letter.ts';
import { ERASURE_RECORD_SK } from '../../lambda/shared/erased-users.ts';
import { LOCAL_INVOCATION_SECONDS } from '../../local/invocation-deadline.ts';
import { chance } from './chaos-faults.ts';

/** An erasure mixed into a chaos run: which user, while which segment is being published. */
export interface PlannedErasure {
  readonly userId: string;
  readonly segment: number;
}

/** About half the runs erase one of their users while one of their segments is in flight. */
export function planErasure(
  faultSeed: number,
  users: readonly string[],
  segments: number,
): PlannedErasure | undefined {
  if (users.length === 0 || chance(faultSeed, 'erase') >= 0.5) return undefined;
  return {
    userId: users[Math.floor(chance(faultSeed, 'erase-user') * users.length)] as string,
    segment: Math.floor(chance(faultSeed, 'erase-segment') * segments),
  };
}

/** Erases a user on the local stack with the same wait the CLI uses there (cache 0 s here). */
export function eraseDuringRun(
  doc: DynamoDBDocumentClient,
  tables: ErasureTables,
  userId: string,
  cacheSeconds: number,
): Promise<EraseReport> {
  return eraseUser(new DynamoErasureStore(doc, tables), userId, {
    settleMs: erasureSettleSeconds(cacheSeconds, LOCAL_INVOCATION_SECONDS) * 1000,
  });
}

/**
 * Items of an erased user that exist at the end of the run. The erasure deletes only after its
 * record has taken effect, so any item left was recorded or projected after that: a violation.
 */
export async function leftoversOf(
  doc: DynamoDBDocumentClient,
  tables: ErasureTables,
  userId: string,
): Promise<number> {
  let count = 0;
  for (const table of [tables.activities, tables.stats]) {
    const items = await userPartition(doc, table, userId);
    count += items.filter((item) => item.sk !== ERASURE_RECORD_SK).length;
  }
  return count;
}

/**
 * A broken event that names only the erased user: its dead letter is removed by the erasure and
 * not stored again by later copies, so it is not expected in the dead-letter table.
 */
export function namesOnly(event: { readonly detail: unknown }, userId: string | undefined): boolean {
  if (userId === undefined) return false;
  const named = usersNamedBy(event);
  return named.size > 0 && [...named].every((u) => u === userId);
}
