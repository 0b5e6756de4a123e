import { beforeAll, describe, expect, it } from 'vitest';
import { fresh } from '../support/events.ts';
import { conforms, get, putStatsItems, SIGNED, sharedApiStack, statsItem } from './support.ts';

// The statistics items are written directly, as the statistics projector stores them: these tests
// hold the reads to the agreed item shapes, whatever computes them.

const [player, veteran, newcomer] = [fresh('player'), fresh('veteran'), fresh('new')];
const api = sharedApiStack([]);

const overall = {
  matchesWon: 5,
  matchesLost: 1,
  matchesDrawn: 1,
  matchesPlayed: 7,
  tournamentsPlayed: 2,
  tournamentsWon: 1,
  activityCount: 20,
  lastActivityAt: '2026-05-03T18:00:00.000Z',
  currentWinStreak: 2,
  longestWinStreak: 3,
  recentResults: ['W', 'W', 'L', 'D', 'W'],
};
const games = {
  valorant: {
    matchesWon: 3,
    matchesLost: 1,
    matchesPlayed: 4,
    tournamentsPlayed: 1,
    tournamentsWon: 1,
    activityCount: 12,
    lastActivityAt: '2026-05-03T18:00:00.000Z',
    currentWinStreak: 2,
    longestWinStreak: 2,
    recentResults: ['W', 'W', 'L', 'W'],
  },
  efootball: {
    matchesWon: 2,
    matchesDrawn: 1,
    matchesPlayed: 3,
    tournamentsPlayed: 1,
    activityCount: 7,
    lastActivityAt: '2026-05-02T11:00:00.000Z',
    longestWinStreak: 2,
    recentResults: ['D', 'W', 'W'],
  },
  // Only a check-in so far.
  Zelda: { activityCount: 1, lastActivityAt: '2026-05-01T09:00:00.000Z' },
  // Nothing but the item itself: lastActivityAt absent reads as null.
  '42': { activityCount: 0 },
} as const;

/** The API's answer for stored fields: zeros for what is absent, the win rate derived. */
function expected(userId: string, fields: Record<string, unknown>, gameId?: string) {
  const view = {
    userId,
    ...(gameId === undefined ? {} : { gameId }),
    matchesWon: 0,
    matchesLost: 0,
    matchesDrawn: 0,
    tournamentsPlayed: 0,
    tournamentsWon: 0,
    matchesPlayed: 0,
    activityCount: 0,
    lastActivityAt: null,
    currentWinStreak: 0,
    longestWinStreak: 0,
    recentResults: [],
    ...fields,
  };
  return { ...view, winRate: view.matchesPlayed === 0 ? 0 : view.matchesWon / view.matchesPlayed };
}

// Runs after the shared stack has started (hooks run in the order they are declared).
beforeAll(async () => {
  await putStatsItems(api.stack, [
    statsItem(player, 'STATS', overall),
    ...Object.entries(games).map(([gameId, fields]) =>
      statsItem(player, `GAME#${gameId}`, { gameId, ...fields }),
    ),
    // Other items of the partition: slots, markers, and anything longer under the game prefix.
    { userId: player, sk: 'MATCH#m1', rank: '2026-05-01T12:00:00.000Z#k', matchesWon: 1 },
    { userId: player, sk: 'APPLIED#match_finalized:m1:completed' },
    { userId: player, sk: 'GAME#valorant#RUN#0001', length: 2 },
    // Written before streaks existed: no streak attributes at all.
    {
      userId: veteran,
      sk: 'STATS',
      matchesWon: 4,
      matchesLost: 4,
      matchesPlayed: 8,
      activityCount: 9,
      version: 9,
    },
  ]);
});

describe('GET /users/{userId}/stats', () => {
  it('answers the streaks and recent form with the counters, and none of the stored item’s own attributes', async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/${player}/stats`);
    expect(status).toBe(200);
    expect(body).toEqual(expected(player, overall));
    conforms('ProfileStats', body);
  });

  it('reads statistics stored before streaks as no streak and no recent results', async () => {
    const { body } = await get(`${api.stack.apiUrl}/users/${veteran}/stats`);
    expect(body).toEqual(
      expected(veteran, { matchesWon: 4, matchesLost: 4, matchesPlayed: 8, activityCount: 9 }),
    );
  });
});

describe('GET /users/{userId}/stats?gameId=', () => {
  it("answers the same object for one game, with the game's id", async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/${player}/stats?gameId=valorant`);
    expect(status).toBe(200);
    expect(body).toEqual(expected(player, games.valorant, 'valorant'));
    conforms('GameStats', body);
  });

  it('answers zeros, no recent results and lastActivityAt null for a game the user has nothing in', async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/${player}/stats?gameId=chess`);
    expect(status).toBe(200);
    expect(body).toEqual(expected(player, {}, 'chess'));
    conforms('GameStats', body);
  });

  it.each([
    ['a separator', 'bad%23id'],
    ['a space', 'two%20words'],
    ['65 characters', 'g'.repeat(65)],
  ])('refuses a gameId with %s: 400 naming the parameter', async (_, gameId) => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/${player}/stats?gameId=${gameId}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('InvalidParameter');
    expect(body.error.message).toMatch(/^gameId /);
  });

  it('gives each game its own ETag, and 304 while it still matches', async () => {
    // Act
    const url = `${api.stack.apiUrl}/users/${player}/stats`;
    const [all, valorant, efootball] = await Promise.all([
      get(url),
      get(`${url}?gameId=valorant`),
      get(`${url}?gameId=efootball`),
    ]);
    const etag = valorant.headers.get('etag') as string;
    const again = await get(`${url}?gameId=valorant`, { ...SIGNED, 'if-none-match': etag });
    const otherGame = await get(`${url}?gameId=efootball`, { ...SIGNED, 'if-none-match': etag });

    // Assess
    expect(new Set([all, valorant, efootball].map((r) => r.headers.get('etag'))).size).toBe(3);
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(otherGame.status).toBe(200);
    expect(otherGame.body).toEqual(efootball.body);
  });
});

describe('GET /users/{userId}/games', () => {
  it("lists the user's games sorted by gameId, each as the per-game statistics", async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/${player}/games`);
    expect(status).toBe(200);
    // As the contract compares ids: as strings (digits, then upper case, then lower case).
    expect(body).toEqual({
      items: ['42', 'Zelda', 'efootball', 'valorant'].map((gameId) =>
        expected(player, games[gameId as keyof typeof games], gameId),
      ),
    });
    conforms('GameStatsList', body);
  });

  it('answers no items for a user without games, and for a user without statistics', async () => {
    for (const userId of [veteran, newcomer]) {
      const { status, body } = await get(`${api.stack.apiUrl}/users/${userId}/games`);
      expect([status, body]).toEqual([200, { items: [] }]);
    }
  });

  it('answers 304 while the ETag matches, and the new list once a game changes', async () => {
    // Prepare
    const url = `${api.stack.apiUrl}/users/${player}/games`;
    const first = await get(url);
    const etag = first.headers.get('etag') as string;
    const unchanged = await get(url, { ...SIGNED, 'if-none-match': etag });

    // Act: a match won in a new game
    const won = {
      matchesWon: 1,
      matchesPlayed: 1,
      activityCount: 1,
      currentWinStreak: 1,
      longestWinStreak: 1,
    };
    await putStatsItems(api.stack, [
      statsItem(player, 'GAME#chess', { gameId: 'chess', ...won, recentResults: ['W'] }),
    ]);
    const changed = await get(url, { ...SIGNED, 'if-none-match': etag });

    // Assess
    expect(unchanged.status).toBe(304);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.body.items.map((g: { gameId: string }) => g.gameId)).toEqual([
      '42',
      'Zelda',
      'chess',
      'efootball',
      'valorant',
    ]);
    expect(changed.body.items[2]).toEqual(expected(player, { ...won, recentResults: ['W'] }, 'chess'));
  });

  it('refuses an invalid user id with 400 naming the parameter', async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/bad%23id/games`);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/^userId /);
  });
});

describe('GET /stats?userIds=&gameId=', () => {
  it('answers each distinct user in request order for one game, users with nothing in it with zeros', async () => {
    const { status, body } = await get(
      `${api.stack.apiUrl}/stats?userIds=${player},${veteran},${newcomer},${player}&gameId=efootball`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      items: [
        expected(player, games.efootball, 'efootball'),
        expected(veteran, {}, 'efootball'),
        expected(newcomer, {}, 'efootball'),
      ],
    });
    conforms('StatsBatch', body);
  });

  it('answers the overall statistics with streaks without gameId', async () => {
    const { body } = await get(`${api.stack.apiUrl}/stats?userIds=${player}`);
    expect(body).toEqual({ items: [expected(player, overall)] });
  });

  it('refuses an invalid gameId with 400 naming the parameter', async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/stats?userIds=${player}&gameId=a:b`);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/^gameId /);
  });
});
