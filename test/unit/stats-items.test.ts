import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gameScope, OVERALL_SCOPE } from '../../lambda/statistics/domain/placement.ts';
import {
  scopeItem,
  scopeOfSk,
  scopeStateOf,
  scopeStatisticsOfItem,
} from '../../lambda/statistics/domain/scope-items.ts';
import { EMPTY_SCOPE, type ScopeState } from '../../lambda/statistics/domain/scopes.ts';
import { positionOf } from '../../lambda/statistics/domain/sequence.ts';
import {
  breakSk,
  justAfter,
  justBefore,
  rangeEnd,
  rangePrefix,
  sequenceChanges,
  sequenceKeyOf,
  winSk,
} from '../../lambda/statistics/domain/sequence-items.ts';
import {
  readStatsPartition,
  slotItem,
  slotOf,
  statsItemKind,
} from '../../lambda/statistics/domain/stats-items.ts';
import { minuteAt } from './stats-fixture.ts';

const NOW = new Date('2026-05-01T00:00:00Z');

const valorant: ScopeState = {
  counters: { matchesWon: 3, matchesLost: 1, matchesDrawn: 1, tournamentsPlayed: 1, tournamentsWon: 0 },
  activityCount: 9,
  lastActivityAt: '2026-05-01T12:30:00.000Z',
  version: 4,
  summary: {
    matches: 5,
    tailRun: 2,
    runLengths: { '1': 1, '2': 1 },
    recent: [
      { pos: positionOf(minuteAt(40), 'm5'), outcome: 'W' },
      { pos: positionOf(minuteAt(30), 'm4'), outcome: 'W' },
      { pos: positionOf(minuteAt(20), 'm3'), outcome: 'D' },
      { pos: positionOf(minuteAt(10), 'm2'), outcome: 'L' },
      { pos: positionOf(minuteAt(0), 'm1'), outcome: 'W' },
    ],
  },
};

describe('summary items', () => {
  it('hold the contract fields under their names, with the game, for the read API', () => {
    // Act
    const item = scopeItem('u1', gameScope('valorant'), valorant, NOW);

    // Assess
    expect(item).toMatchObject({
      userId: 'u1',
      sk: 'GAME#valorant',
      gameId: 'valorant',
      matchesPlayed: 5,
      matchesWon: 3,
      matchesLost: 1,
      matchesDrawn: 1,
      tournamentsPlayed: 1,
      tournamentsWon: 0,
      activityCount: 9,
      lastActivityAt: '2026-05-01T12:30:00.000Z',
      currentWinStreak: 2,
      longestWinStreak: 2,
      recentResults: ['W', 'W', 'D', 'L', 'W'],
      version: 4,
    });
    expect(scopeStatisticsOfItem(item)).toEqual({
      matchesPlayed: 5,
      matchesWon: 3,
      matchesLost: 1,
      matchesDrawn: 1,
      tournamentsPlayed: 1,
      tournamentsWon: 0,
      activityCount: 9,
      lastActivityAt: '2026-05-01T12:30:00.000Z',
      currentWinStreak: 2,
      longestWinStreak: 2,
      recentResults: ['W', 'W', 'D', 'L', 'W'],
    });
  });

  it('read back as the state they were written from, and name their scope', () => {
    const item = scopeItem('u1', gameScope('valorant'), valorant, NOW);
    expect(scopeStateOf(item)).toEqual(valorant);
    expect(scopeOfSk(String(item.sk))).toBe(gameScope('valorant'));
    expect(scopeOfSk('STATS')).toBe(OVERALL_SCOPE);
    expect(scopeOfSk('MATCH#m1')).toBeUndefined();
  });

  it('without a sequence summary (written before sequences) read back as such, with no streak fields', () => {
    const item = scopeItem(
      'u1',
      OVERALL_SCOPE,
      { ...EMPTY_SCOPE, activityCount: 2, summary: undefined },
      NOW,
    );
    expect(item).not.toHaveProperty('currentWinStreak');
    expect(scopeStateOf(item).summary).toBeUndefined();
    expect(item).not.toHaveProperty('lastActivityAt');
  });
});

describe('slot items', () => {
  it('keep the counting finalization, its game and the match position', () => {
    const slot = {
      slot: 'MATCH#m1',
      rank: `${minuteAt(5)}#k`,
      counters: { ...EMPTY_SCOPE.counters, matchesWon: 1 },
      gameId: 'valorant',
      firstAt: minuteAt(0),
    };
    expect(slotOf(slotItem('u1', slot, NOW))).toEqual(slot);
  });
});

describe('sequence items', () => {
  const posArb = fc
    .tuple(fc.integer({ min: 0, max: 5 }), fc.stringMatching(/^[A-Za-z0-9_.-]{1,6}$/))
    .map(([minute, id]) => positionOf(minuteAt(minute), id));

  it('bound a key range exactly: every key after `justAfter(k)` is after `k`, every key before `justBefore(k)` is before it', () => {
    fc.assert(
      fc.property(posArb, posArb, (a, b) => {
        const [ka, kb] = [winSk('all', a), winSk('all', b)];
        expect(kb >= justAfter(ka)).toBe(kb > ka);
        expect(kb <= justBefore(ka)).toBe(kb < ka);
        expect(kb <= rangeEnd(rangePrefix('win', 'all'))).toBe(true);
        expect(kb >= rangePrefix('win', 'all')).toBe(true);
        // Another scope's wins and every break lie outside the range.
        const outside = [winSk('allx', a), winSk('al', a), breakSk('all', a)];
        for (const k of outside)
          expect(k >= rangePrefix('win', 'all') && k <= rangeEnd(rangePrefix('win', 'all'))).toBe(false);
      }),
      { seed: 5, numRuns: 2000 },
    );
  });

  it('name their kind, scope and position', () => {
    const pos = positionOf(minuteAt(0), 'm1');
    expect(sequenceKeyOf(winSk(gameScope('valorant'), pos))).toEqual({
      kind: 'win',
      scope: 'game:valorant',
      pos,
    });
    expect(sequenceKeyOf(breakSk(OVERALL_SCOPE, pos))).toEqual({ kind: 'break', scope: 'all', pos });
    expect(sequenceKeyOf('STATS')).toBeUndefined();
  });

  it('turn a win overturned into a loss into a delete of the win and a put of the break', () => {
    const pos = positionOf(minuteAt(0), 'm1');
    const changes = sequenceChanges('u1', {
      scope: 'all',
      pos,
      expected: { kind: 'win' },
      next: { kind: 'break', outcome: 'L', runBefore: 2 },
    });
    expect(changes).toEqual([
      { delete: { userId: 'u1', sk: winSk('all', pos) }, expected: 'present' },
      { put: { userId: 'u1', sk: breakSk('all', pos), outcome: 'L', runBefore: 2 }, expected: undefined },
    ]);
  });

  it("are read back into each scope's wins and breaks, in position order", () => {
    const [p1, p2, p3] = [0, 1, 2].map((m) => positionOf(minuteAt(m), 'm'));
    const items = [
      { userId: 'u1', sk: winSk('all', p3 as string) },
      { userId: 'u1', sk: breakSk('all', p2 as string), outcome: 'D', runBefore: 1 },
      { userId: 'u1', sk: winSk('all', p1 as string) },
    ];
    expect(readStatsPartition(items).sequences.get('all')).toEqual({
      wins: [p1, p3],
      breaks: [{ pos: p2, outcome: 'D', runBefore: 1 }],
    });
  });
});

describe('what an erasure counts', () => {
  it('counts summary items as statistics, slots and sequence items as slots, markers as markers', () => {
    const kinds = [
      'STATS',
      'GAME#valorant',
      'MATCH#9',
      'TOURNAMENT#7',
      'W#all#x',
      'B#game:a#x',
      'APPLIED#k',
      'ERASURE',
    ];
    expect(kinds.map(statsItemKind)).toEqual([
      'statistics',
      'statistics',
      'slots',
      'slots',
      'slots',
      'slots',
      'markers',
      'record',
    ]);
  });
});
