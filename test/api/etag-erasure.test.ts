import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack-options.ts';
import { exampleDetail, fresh } from '../support/events.ts';
import { tpi } from '../support/local-stack.ts';
import { apiStack, checkIn, get, publish, putStatsItems, SIGNED, statsItem } from './support.ts';

// An erasure deletes a user's statistics and its undo lets them start again from nothing: the
// statistics after one new event are as new as the first ones were. The ETag must tell them apart.

let stack: LocalStack;
beforeAll(async () => {
  stack = await apiStack();
});
afterAll(() => stack?.stop());

describe('the statistics ETag across an erasure and its undo', () => {
  it('answers the old ETag with 200 and the new body once one new event follows the undo', async () => {
    // Prepare: one activity, and the ETag of the statistics it makes
    const [user, rival, tournament] = [fresh('erased'), fresh('rival'), fresh('t')];
    await publish(stack, [checkIn(tournament, user, 1)]);
    await putStatsItems(stack, [statsItem(user, 'GAME#valorant', { gameId: 'valorant', activityCount: 1 })]);
    const url = `${stack.apiUrl}/users/${user}/stats`;
    const before = await get(url);
    const oldETag = before.headers.get('etag') as string;

    // Act: erase, read, undo, and one new event
    const erase = await tpi(stack, 'erase', user, '--yes');
    const erased = await Promise.all([get(url), get(`${stack.apiUrl}/users/${user}/games`)]);
    const undo = await tpi(stack, 'erase', user, '--undo', '--yes');
    await publish(stack, [
      {
        detailType: 'MatchFinalized',
        detail: exampleDetail('MatchFinalized', {
          tournamentId: tournament,
          matchId: fresh('m'),
          participantUserIds: [user, rival],
          winnerUserIds: [user],
          occurredAt: '2026-05-01T13:00:00.000Z',
        }),
      },
    ]);
    const after = await get(url, { ...SIGNED, 'if-none-match': oldETag });

    // Assess
    expect([erase.code, undo.code], `${erase.stderr}${undo.stderr}`).toEqual([0, 0]);
    expect(before.body).toMatchObject({ activityCount: 1, matchesWon: 0 });
    expect(erased[0].body).toMatchObject({ activityCount: 0, lastActivityAt: null });
    expect(erased[1].body).toEqual({ items: [] });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ userId: user, activityCount: 1, matchesWon: 1 });
    expect(after.headers.get('etag')).not.toBe(oldETag);
    expect(new Set([before, ...erased, after].map((r) => r.headers.get('etag'))).size).toBe(4);
  }, 600_000);
});
