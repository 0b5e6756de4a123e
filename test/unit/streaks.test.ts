import { describe, expect, it } from 'vitest';
import { MemorySequenceStore } from '../../lambda/statistics/domain/memory-sequence.ts';
import { sequenceFromMatches, streaksOf } from '../../lambda/statistics/domain/sequence.ts';
import { planSequence, SequenceConflict } from '../../lambda/statistics/domain/streaks.ts';
import { at, commit, history, insert, remove, SCOPE, storeWith, streaksIn } from './streaks-fixture.ts';

describe('streaksOf, the reference definition', () => {
  it('gives zeros and no form without matches', () => {
    expect(streaksOf([])).toEqual({ currentWinStreak: 0, longestWinStreak: 0, recentResults: [] });
  });

  it('counts the wins at the end, the longest run, and the last five newest first', () => {
    expect(streaksOf(['W', 'W', 'W', 'L', 'W', 'D', 'W', 'W'])).toEqual({
      currentWinStreak: 2,
      longestWinStreak: 3,
      recentResults: ['W', 'W', 'D', 'W', 'L'],
    });
  });
});

describe('sequenceFromMatches, what repair writes', () => {
  it('stores a break per loss or draw with the wins since the previous break, and a histogram of runs', () => {
    const state = sequenceFromMatches(history('WWLDWWW'));
    expect(state.wins).toHaveLength(5);
    expect(state.breaks.map((b) => [b.outcome, b.runBefore])).toEqual([
      ['L', 2],
      ['D', 0],
    ]);
    expect(state.summary).toMatchObject({ matches: 7, tailRun: 3, runLengths: { 2: 1, 3: 1 } });
  });

  it('rejects two matches at one position', () => {
    expect(() => sequenceFromMatches([...history('W'), ...history('L')])).toThrow(RangeError);
  });
});

describe('the planner, one scope', () => {
  it('appends matches in order into a growing run, closed by a loss', async () => {
    // Prepare
    const store = new MemorySequenceStore();
    // Act
    for (const [i, outcome] of (['W', 'W', 'W', 'L', 'W'] as const).entries())
      await commit(store, [insert(at(i * 10), outcome)]);
    // Assess
    expect(streaksIn(store)).toEqual({
      currentWinStreak: 1,
      longestWinStreak: 3,
      recentResults: ['W', 'L', 'W', 'W', 'W'],
    });
    expect(store.state(SCOPE)).toEqual(sequenceFromMatches(history('WWWLW')));
  });

  it('lengthens the run a late win lands in, making it the longest', async () => {
    const store = storeWith(history('WWLWW'));
    await commit(store, [insert(at(35), 'W')]);
    expect(streaksIn(store)).toMatchObject({ currentWinStreak: 3, longestWinStreak: 3 });
  });

  it('joins the two runs a loss separated when the loss moves to an earlier position', async () => {
    // Prepare: W W L W W W, the loss's earlier finalization arrives late and moves it before everything
    const store = storeWith(history('WWLWWW'));
    // Act
    await commit(store, [remove(at(20), 'L'), insert(at(-5, 'm0020'), 'L')]);
    // Assess
    expect(streaksIn(store)).toMatchObject({ currentWinStreak: 5, longestWinStreak: 5 });
    expect(store.state(SCOPE)?.breaks).toEqual([{ pos: at(-5, 'm0020'), outcome: 'L', runBefore: 0 }]);
  });

  it('splits the run a late loss lands in', async () => {
    const store = storeWith(history('LWWWWWW'));
    await commit(store, [insert(at(25), 'L')]);
    expect(streaksIn(store)).toEqual({
      currentWinStreak: 4,
      longestWinStreak: 4,
      recentResults: ['W', 'W', 'W', 'W', 'L'],
    });
    expect(store.state(SCOPE)?.summary.runLengths).toEqual({ 2: 1, 4: 1 });
  });

  it('splits the longest run when an overturn turns one of its wins into a loss', async () => {
    // Prepare: runs of 5 and 2
    const store = storeWith(history('WWWWWLWW'));
    // Act: the middle win of the five is overturned
    await commit(store, [remove(at(20), 'W'), insert(at(20), 'L')]);
    // Assess
    expect(streaksIn(store)).toMatchObject({ currentWinStreak: 2, longestWinStreak: 2 });
    expect(store.state(SCOPE)?.summary.runLengths).toEqual({ 2: 3 });
  });

  it('joins the runs around a loss overturned into a win', async () => {
    const store = storeWith(history('WWLWWWD'));
    await commit(store, [remove(at(20), 'L'), insert(at(20), 'W')]);
    expect(streaksIn(store)).toEqual({
      currentWinStreak: 0,
      longestWinStreak: 6,
      recentResults: ['D', 'W', 'W', 'W', 'W'],
    });
  });

  it('breaks runs with draws as with losses, and shows them as D', async () => {
    const store = storeWith(history('WWW'));
    await commit(store, [insert(at(5), 'D')]);
    expect(streaksIn(store)).toEqual({
      currentWinStreak: 2,
      longestWinStreak: 2,
      recentResults: ['W', 'W', 'D', 'W'],
    });
  });

  it('keeps the runs when a loss is overturned into a draw', async () => {
    const store = storeWith(history('WWLWWW'));
    await commit(store, [remove(at(20), 'L'), insert(at(20), 'D')]);
    expect(store.state(SCOPE)).toEqual(sequenceFromMatches(history('WWDWWW')));
  });

  it('refills the recent form from older matches when a recent match is removed', async () => {
    const store = storeWith(history('LDWWLWW'));
    await commit(store, [remove(at(40), 'L'), remove(at(50), 'W')]);
    expect(streaksIn(store).recentResults).toEqual(['W', 'W', 'W', 'D', 'L']);
    expect(store.reads.lastMatches).toBe(1);
  });

  it('refills the recent form with a match inserted in the same commit', async () => {
    const store = storeWith(history('WWWWWWL'));
    await commit(store, [remove(at(60), 'L'), remove(at(50), 'W'), insert(at(1), 'D')]);
    expect(store.state(SCOPE)?.summary.recent.map((m) => m.pos)).toEqual([
      at(40),
      at(30),
      at(20),
      at(10),
      at(1),
    ]);
  });

  it('empties a scope whose last match is removed', async () => {
    const store = storeWith(history('WL'));
    await commit(store, [remove(at(10), 'L'), remove(at(0), 'W')]);
    expect(store.state(SCOPE)).toEqual(sequenceFromMatches([]));
  });
});

describe('the planner, failures', () => {
  it('rejects a match inserted at a position the overlay already holds', async () => {
    const store = new MemorySequenceStore();
    await expect(commit(store, [insert(at(0), 'W'), insert(at(0), 'L')])).rejects.toThrow(SequenceConflict);
  });

  it('rejects removing a loss where a draw is stored', async () => {
    const store = storeWith(history('WDW'));
    await expect(commit(store, [remove(at(10), 'L')])).rejects.toThrow(SequenceConflict);
  });

  it('fails a plan whose reads another commit made stale, and applies nothing of it', async () => {
    // Prepare: two plans read the same state
    const store = storeWith(history('WWWW'));
    const first = await planSequence(store, store.summaries(), [insert(at(15), 'L')]);
    const second = await planSequence(store, store.summaries(), [insert(at(25), 'L')]);
    // Act
    store.apply(first);
    // Assess
    expect(() => store.apply(second)).toThrow('summary version changed');
    expect(store.state(SCOPE)).toEqual(
      sequenceFromMatches([...history('WWWW'), { pos: at(15), outcome: 'L' }]),
    );
  });
});
