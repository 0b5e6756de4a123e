import { MemorySequenceStore } from '../../lambda/statistics/domain/memory-sequence.ts';
import {
  type Outcome,
  positionOf,
  type SequenceMatch,
  type Streaks,
  streaksOfSummary,
} from '../../lambda/statistics/domain/sequence.ts';
import { planSequence, type SequenceOp, type SequencePlan } from '../../lambda/statistics/domain/streaks.ts';

/** The scope the single-scope tests use. */
export const SCOPE = 'all';

/** The instant `minute` minutes after a fixed start, as positions spell it. */
export function instant(minute: number): string {
  return new Date(Date.UTC(2026, 4, 1, 12, 0, 0) + minute * 60_000).toISOString();
}

/** The position of match `m{minute}` played at `minute`. */
export function at(minute: number, matchId = `m${String(minute).padStart(4, '0')}`): string {
  return positionOf(instant(minute), matchId);
}

/** Matches at minutes 0, 10, 20, ... with the outcomes spelled in `outcomes` (`'WWLD'`), oldest first. */
export function history(outcomes: string): SequenceMatch[] {
  return [...outcomes].map((outcome, i) => ({ pos: at(i * 10), outcome: outcome as Outcome }));
}

export const insert = (pos: string, outcome: Outcome, scope = SCOPE): SequenceOp => ({
  kind: 'insert',
  scope,
  pos,
  outcome,
});

export const remove = (pos: string, outcome: Outcome, scope = SCOPE): SequenceOp => ({
  kind: 'remove',
  scope,
  pos,
  outcome,
});

/** Plans `ops` over the store's current items and applies the plan as one transaction. */
export async function commit(store: MemorySequenceStore, ops: readonly SequenceOp[]): Promise<SequencePlan> {
  const plan = await planSequence(store, store.summaries(), ops);
  store.apply(plan);
  return plan;
}

/** A store holding `matches` in one scope. */
export function storeWith(matches: readonly SequenceMatch[], scope = SCOPE): MemorySequenceStore {
  const store = new MemorySequenceStore();
  store.loadMatches(scope, matches);
  return store;
}

/** The statistics the store's summary of a scope shows. */
export function streaksIn(store: MemorySequenceStore, scope = SCOPE): Streaks {
  const state = store.state(scope);
  return state
    ? streaksOfSummary(state.summary)
    : { currentWinStreak: 0, longestWinStreak: 0, recentResults: [] };
}
