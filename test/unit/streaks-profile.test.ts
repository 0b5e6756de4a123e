import { describe, expect, it } from 'vitest';
import {
  gameScope,
  OVERALL_SCOPE,
  standingAfter,
  standingOps,
} from '../../lambda/statistics/domain/placement.ts';
import { type ProfileActivity, profileStatsOf } from '../../lambda/statistics/domain/profile-stats.ts';
import { sequenceFromMatches } from '../../lambda/statistics/domain/sequence.ts';
import { at, commit, history, instant, storeWith, streaksIn } from './streaks-fixture.ts';

const finalized = (
  matchId: string,
  minute: number,
  role: string,
  extra: Partial<ProfileActivity> = {},
): ProfileActivity => ({
  idempotencyKey: `match_finalized:${matchId}:${minute === 0 ? 'completed' : `dispute_resolved:${minute}`}`,
  detailType: 'MatchFinalized',
  tournamentId: 't1',
  occurredAt: instant(minute),
  role,
  matchId,
  ...extra,
});

const completed = (tournamentId: string, minute: number, role: string, gameId?: string): ProfileActivity => ({
  idempotencyKey: `tournament_completed:${tournamentId}:completed:${minute}`,
  detailType: 'TournamentCompleted',
  tournamentId,
  occurredAt: instant(minute),
  role,
  gameId,
});

describe('profileStatsOf, the reference definition overall and per game', () => {
  it('gives zeros, no form and no games for a user without activities', () => {
    expect(profileStatsOf([])).toEqual({
      overall: {
        matchesPlayed: 0,
        matchesWon: 0,
        matchesLost: 0,
        matchesDrawn: 0,
        tournamentsPlayed: 0,
        tournamentsWon: 0,
        activityCount: 0,
        lastActivityAt: null,
        currentWinStreak: 0,
        longestWinStreak: 0,
        recentResults: [],
      },
      games: new Map(),
    });
  });

  it('orders matches by their earliest finalization and takes the outcome from the latest', () => {
    // Prepare: m1 played first and won, overturned to a loss after m2 was played
    const activities = [
      finalized('m1', 0, 'winner'),
      finalized('m2', 10, 'winner'),
      finalized('m3', 20, 'winner'),
      finalized('m1', 30, 'loser'),
    ];
    // Act
    const { overall } = profileStatsOf(activities);
    // Assess
    expect(overall).toMatchObject({
      matchesPlayed: 3,
      matchesWon: 2,
      matchesLost: 1,
      activityCount: 4,
      lastActivityAt: instant(30),
      currentWinStreak: 2,
      longestWinStreak: 2,
      recentResults: ['W', 'W', 'L'],
    });
  });

  it('breaks ties of position by matchId and ties of latest-wins by idempotency key', () => {
    const activities = [
      finalized('b', 0, 'loser', { idempotencyKey: 'match_finalized:b:completed' }),
      finalized('a', 0, 'winner', { idempotencyKey: 'match_finalized:a:completed' }),
      finalized('a', 0, 'draw', { idempotencyKey: 'match_finalized:a:forfeit' }),
    ];
    expect(profileStatsOf(activities).overall.recentResults).toEqual(['L', 'D']);
  });

  it('counts a duplicate once', () => {
    const once = finalized('m1', 0, 'winner');
    expect(profileStatsOf([once, once, { ...once }]).overall).toMatchObject({
      matchesWon: 1,
      activityCount: 1,
    });
  });

  it('puts a match in the game of its counting finalization, and counts a game its own activities', () => {
    // Prepare: m1 finalized in game a, then overturned by a finalization carrying game b
    const activities = [
      finalized('m1', 0, 'winner', { gameId: 'a' }),
      finalized('m1', 30, 'draw', { gameId: 'b' }),
      finalized('m2', 10, 'winner', { gameId: 'a' }),
      completed('t1', 40, 'winner', 'b'),
      completed('t2', 50, 'participant'),
    ];
    // Act
    const { overall, games } = profileStatsOf(activities);
    // Assess
    expect([...games.keys()]).toEqual(['a', 'b']);
    expect(games.get('a')).toMatchObject({
      matchesPlayed: 1,
      matchesWon: 1,
      activityCount: 2,
      lastActivityAt: instant(10),
      recentResults: ['W'],
    });
    expect(games.get('b')).toMatchObject({
      matchesDrawn: 1,
      tournamentsPlayed: 1,
      tournamentsWon: 1,
      activityCount: 2,
      recentResults: ['D'],
    });
    expect(overall).toMatchObject({
      matchesPlayed: 2,
      tournamentsPlayed: 2,
      tournamentsWon: 1,
      activityCount: 5,
    });
    expect(overall.recentResults).toEqual(['W', 'D']);
  });

  it('loses a match for a role that is neither winner nor draw, as the contract says', () => {
    expect(profileStatsOf([finalized('m1', 0, 'participant')]).overall).toMatchObject({ matchesLost: 1 });
  });
});

describe('a match moving between games', () => {
  it('changes an outcome in each scope by a removal followed at once by the insertion at the same position', () => {
    const finalization = {
      matchId: 'm1',
      idempotencyKey: 'match_finalized:m1:completed',
      occurredAt: instant(0),
      role: 'loser',
      gameId: 'a',
    };
    const lost = standingAfter(undefined, finalization);
    const drawn = standingAfter(lost, {
      ...finalization,
      idempotencyKey: 'k',
      occurredAt: instant(5),
      role: 'draw',
    });
    expect(standingOps(lost, drawn).map((op) => `${op.kind} ${op.scope} ${op.outcome}`)).toEqual([
      'remove all L',
      'insert all D',
      'remove game:a L',
      'insert game:a D',
    ]);
  });

  it('leaves one game and enters the other, and the overall sequence only changes its outcome', async () => {
    // Prepare: game a holds W W (m0000, m0010), game b holds L; overall W W L
    const store = storeWith(history('WWL'));
    store.loadMatches(gameScope('a'), history('WW'));
    store.loadMatches(gameScope('b'), [{ pos: at(20), outcome: 'L' }]);
    const won = standingAfter(undefined, {
      matchId: 'm0010',
      idempotencyKey: 'match_finalized:m0010:completed',
      occurredAt: instant(10),
      role: 'winner',
      gameId: 'a',
    });
    const overturned = standingAfter(won, {
      matchId: 'm0010',
      idempotencyKey: 'match_finalized:m0010:dispute_resolved',
      occurredAt: instant(90),
      role: 'loser',
      gameId: 'b',
    });
    // Act
    await commit(store, standingOps(won, overturned));
    // Assess
    expect(overturned.firstAt).toBe(instant(10));
    expect(streaksIn(store, OVERALL_SCOPE)).toMatchObject({ currentWinStreak: 0, longestWinStreak: 1 });
    expect(store.state(gameScope('a'))).toEqual(sequenceFromMatches(history('W')));
    expect(store.state(gameScope('b'))).toEqual(
      sequenceFromMatches([
        { pos: at(10), outcome: 'L' },
        { pos: at(20), outcome: 'L' },
      ]),
    );
  });

  it('moves a match to an earlier position when an older finalization arrives late, keeping its outcome', async () => {
    const store = storeWith(history('LWW'));
    const late = { matchId: 'm0000', idempotencyKey: 'k1', occurredAt: instant(0), role: 'loser' };
    const standing = standingAfter(undefined, late);
    const earlier = standingAfter(standing, {
      ...late,
      idempotencyKey: 'k0',
      occurredAt: instant(-60),
      role: 'winner',
    });
    await commit(store, standingOps(standing, earlier));
    expect(earlier).toMatchObject({ firstAt: instant(-60), outcome: 'L' });
    expect(store.state(OVERALL_SCOPE)?.breaks).toEqual([
      { pos: at(-60, 'm0000'), outcome: 'L', runBefore: 0 },
    ]);
  });
});
