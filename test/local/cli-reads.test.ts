import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { MAX_FEED_LIMIT } from '../../lambda/shared/contract/limits.ts';
import { checkIn, finalized, putStatsItems, sharedApiStack, statsItem } from '../api/support.ts';
import { fresh } from '../support/events.ts';
import { tpi } from '../support/local-stack.ts';

/** Nothing listens there: a command that sent a request would fail (exit 1), not refuse its usage. */
const NOWHERE = { endpoint: 'http://127.0.0.1:9' };

describe('`tpi feed` and `tpi stats` refuse what the API would refuse, before any request', () => {
  it('refuses a type outside the contract with exit 2, listing the eight types', async () => {
    const { code, stderr } = await tpi(NOWHERE, 'feed', 'u', '--type', 'NotAType');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--type must be one of .*; got "NotAType"/);
    for (const detailType of DETAIL_TYPES) expect(stderr).toContain(detailType);
  });

  it.each(['100000', '0', '101', 'ten'])(
    'refuses --limit %s with exit 2, naming the valid range',
    async (limit) => {
      const { code, stderr } = await tpi(NOWHERE, 'feed', 'u', '--limit', limit);
      expect(code).toBe(2);
      expect(stderr).toMatch(/--limit must be/);
      if (Number(limit) > MAX_FEED_LIMIT) expect(stderr).toContain(`1-${MAX_FEED_LIMIT}`);
    },
  );

  it.each([
    ['an id with a separator', ['--game', 'a#b'], /--game must be an id/],
    ['--game with --games', ['--game', 'valorant', '--games'], /either --game G .* or --games/],
  ])('refuses %s with exit 2', async (_, args, message) => {
    const { code, stderr } = await tpi(NOWHERE, 'stats', 'u', ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('`tpi stats` and `tpi feed` against the read API', () => {
  const [player, rival, tournament] = [fresh('player'), fresh('rival'), fresh('t')];
  const api = sharedApiStack([finalized(tournament, player, rival, 1), checkIn(tournament, player, 2)]);
  const valorant = {
    gameId: 'valorant',
    matchesWon: 3,
    matchesLost: 1,
    matchesPlayed: 4,
    activityCount: 6,
    lastActivityAt: '2026-05-01T12:01:00.000Z',
    currentWinStreak: 2,
    longestWinStreak: 2,
    recentResults: ['W', 'W', 'L', 'W'],
  };
  const efootball = {
    gameId: 'efootball',
    matchesDrawn: 1,
    matchesPlayed: 1,
    activityCount: 1,
    recentResults: ['D'],
  };

  it('shows one game with --game, and every game with --games, as JSON and as a table', async () => {
    // Prepare: the player's statistics in two games, as the statistics projector stores them
    await putStatsItems(api.stack, [
      statsItem(player, 'GAME#valorant', valorant),
      statsItem(player, 'GAME#efootball', efootball),
    ]);

    // Act
    const game = await tpi(api.stack, 'stats', player, '--game', 'valorant', '--json');
    const gameText = await tpi(api.stack, 'stats', player, '--game', 'valorant');
    const games = await tpi(api.stack, 'stats', player, '--games', '--json');
    const table = await tpi(api.stack, 'stats', player, '--games');
    const none = await tpi(api.stack, 'stats', rival, '--games');

    // Assess
    expect([game.code, gameText.code, games.code, table.code], game.stderr).toEqual([0, 0, 0, 0]);
    expect(JSON.parse(game.stdout)).toMatchObject({ userId: player, ...valorant, winRate: 0.75 });
    expect(gameText.stdout).toMatch(/^recentResults +W W L W$/m);
    const list = JSON.parse(games.stdout);
    expect(Object.keys(list).sort()).toEqual(['items', 'nextCursor']);
    expect(list.nextCursor).toBeNull();
    expect(list.items.map((g: { gameId: string }) => g.gameId)).toEqual(['efootball', 'valorant']);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^game +played +won +lost +drawn +win rate +streak +longest +recent/);
    expect(lines[1]).toMatch(/^efootball +1 +0 +0 +1 +0% +0 +0 +D /);
    expect(lines[2]).toMatch(/^valorant +4 +3 +1 +0 +75% +2 +2 +WWLW /);
    expect(none.stdout.trim()).toBe('(no games)');
  });

  it('shows the overall statistics with their streak fields', async () => {
    const { code, stdout } = await tpi(api.stack, 'stats', player, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ userId: player, matchesWon: 1, activityCount: 2 });
    expect(Object.keys(JSON.parse(stdout))).toEqual(
      expect.arrayContaining(['currentWinStreak', 'longestWinStreak', 'recentResults']),
    );
  });

  it('filters the feed by a type of the contract, and pages to the end without an empty page', async () => {
    const typed = await tpi(api.stack, 'feed', player, '--type', 'MatchFinalized', '--json');
    const full = await tpi(api.stack, 'feed', player, '--limit', '2', '--json');
    expect(typed.code, typed.stderr).toBe(0);
    expect(JSON.parse(typed.stdout)).toMatchObject({
      items: [{ detailType: 'MatchFinalized' }],
      nextCursor: null,
    });
    expect(JSON.parse(full.stdout)).toMatchObject({ items: [{}, {}], nextCursor: null });
  });
});
