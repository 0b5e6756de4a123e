import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySequenceStore } from '../../lambda/statistics/domain/memory-sequence.ts';
import {
  type Outcome,
  type SequenceMatch,
  type SequenceState,
  streaksOfSummary,
} from '../../lambda/statistics/domain/sequence.ts';
import type { SequenceOp } from '../../lambda/statistics/domain/streaks.ts';
import { at, commit, insert, remove, SCOPE } from './streaks-fixture.ts';

/** A history of `length` matches at minutes 0, 10, 20, ... with outcomes from a seeded generator. */
function randomHistory(length: number, seed: number): SequenceMatch[] {
  const outcomes = fc.sample(fc.constantFrom<Outcome>('W', 'W', 'W', 'L', 'D'), { numRuns: length, seed });
  return outcomes.map((outcome, i) => ({ pos: at(i * 10), outcome }));
}

type Change = 'insert' | 'remove' | 'overturn' | 'move';

/** One commit's operations for a change at a random place of `matches` (positions are multiples of 10). */
function opsFor(
  change: Change,
  matches: readonly SequenceMatch[],
  pick: number,
  outcome: Outcome,
): SequenceOp[] {
  const picked = matches[pick % matches.length] as SequenceMatch;
  const free = at((pick % (matches.length * 10)) + 5, `late${pick}`);
  if (change === 'insert') return [insert(free, outcome)];
  if (change === 'remove') return [remove(picked.pos, picked.outcome)];
  if (change === 'overturn') {
    const next: Outcome = outcome !== picked.outcome ? outcome : picked.outcome === 'W' ? 'L' : 'W';
    return [remove(picked.pos, picked.outcome), insert(picked.pos, next)];
  }
  return [remove(picked.pos, picked.outcome), insert(free, picked.outcome)];
}

interface Cost {
  readonly queries: number;
  readonly winsCounted: number;
  readonly longestBefore: number;
}

/** Applies one change to a fresh store holding `history`, and what it cost. */
async function costOf(history: readonly SequenceMatch[], ops: readonly SequenceOp[]): Promise<Cost> {
  const store = new MemorySequenceStore();
  store.loadMatches(SCOPE, history);
  const longestBefore = streaksOfSummary((store.state(SCOPE) as SequenceState).summary).longestWinStreak;
  await commit(store, ops);
  return { queries: store.totalReads(), winsCounted: store.winsCounted, longestBefore };
}

const changeArb = fc.record({
  change: fc.constantFrom<Change>('insert', 'remove', 'overturn', 'move'),
  pick: fc.nat({ max: 1_000_000 }),
  outcome: fc.constantFrom<Outcome>('W', 'L', 'D'),
});

describe('reads of the planner', () => {
  it('reads nothing for matches appended in order, whatever their outcomes', async () => {
    // Prepare
    const store = new MemorySequenceStore();
    store.loadMatches(SCOPE, randomHistory(500, 1));
    const outcomes = fc.sample(fc.constantFrom<Outcome>('W', 'L', 'D'), { numRuns: 200, seed: 2 });
    // Act
    for (const [i, outcome] of outcomes.entries()) await commit(store, [insert(at(10_000 + i), outcome)]);
    // Assess
    expect(store.totalReads()).toBe(0);
    expect(store.state(SCOPE)?.summary.matches).toBe(700);
  });

  it('reads nothing to remove the newest win, and one query to remove the newest loss', async () => {
    const store = new MemorySequenceStore();
    store.loadMatches(SCOPE, [
      ...randomHistory(100, 3),
      { pos: at(5_000), outcome: 'L' },
      { pos: at(6_000), outcome: 'W' },
    ]);
    await commit(store, [remove(at(6_000), 'W')]);
    expect(store.totalReads()).toBe(1); // the recent form's refill
    await commit(store, [remove(at(5_000), 'L')]);
    expect(store.totalReads() - 1).toBe(2); // breakAt, and the refill
  });

  it('turns a loss into a draw with the two reads of the removal', async () => {
    const store = new MemorySequenceStore();
    store.loadMatches(SCOPE, [...randomHistory(1_000, 6), { pos: at(1, 'x'), outcome: 'L' }]);
    await commit(store, [remove(at(1, 'x'), 'L'), insert(at(1, 'x'), 'D')]);
    expect(store.reads).toMatchObject({ breakAt: 1, nextBreak: 1, prevBreak: 0, countWins: 0 });
    expect(store.totalReads()).toBe(2);
  });

  it('spends the same bounded number of queries per change on 10 and on 10,000 matches', async () => {
    // Prepare
    const short = randomHistory(10, 4);
    const long = randomHistory(10_000, 5);
    // A move is two operations, and may step over the break it removed and refill the recent form.
    const limits: Record<Change, number> = { insert: 3, remove: 3, overturn: 3, move: 7 };
    const worst = new Map<string, number>();
    // Act
    await fc.assert(
      fc.asyncProperty(changeArb, async ({ change, pick, outcome }) => {
        for (const [name, history] of [
          ['short', short],
          ['long', long],
        ] as const) {
          const cost = await costOf(history, opsFor(change, history, pick, outcome));
          // Assess: countWins reads the wins of the one run it splits (a move may join two first).
          expect(cost.queries).toBeLessThanOrEqual(limits[change]);
          expect(cost.winsCounted).toBeLessThanOrEqual(2 * cost.longestBefore);
          worst.set(`${name} ${change}`, Math.max(worst.get(`${name} ${change}`) ?? 0, cost.queries));
        }
      }),
      { seed: 27, numRuns: 300 },
    );
    // Assess: the bound is reached on the long history too, so it is its real cost
    for (const change of ['insert', 'remove', 'overturn'] as const)
      expect(worst.get(`long ${change}`)).toBe(limits[change]);
  });
});
