/**
 * A user's matches in one scope (every game, or one game) as an ordered sequence of outcomes, the
 * three statistics the contract derives from it, and the stored representation the projector keeps
 * so that a change anywhere in the history touches a bounded number of items.
 *
 * Invariants of a scope's stored form ({@link sequenceFromMatches} defines it, the planner keeps it):
 * 1. one item per match at its position: a win item, or a break item for a loss or draw;
 * 2. a break's `runBefore` is the number of win items between the previous break (or the start) and it;
 * 3. the summary's `tailRun` is the number of win items after the last break, `matches` the number of items;
 * 4. `runLengths` counts the `runBefore` of every break and `tailRun`, zero lengths left out;
 * 5. `recent` is the last min(5, `matches`) matches, newest first.
 *
 * Everything here is pure: no storage, no clock.
 */
import { RECENT_RESULTS_SIZE } from '../../shared/contract/limits.ts';

/** A match's outcome for the user: won, lost, drawn. */
export type Outcome = 'W' | 'L' | 'D';

/** The outcomes that end a run of wins. */
export type BreakOutcome = Exclude<Outcome, 'W'>;

/** One match of a scope: where it stands in the user's history and how it ended for the user. */
export interface SequenceMatch {
  /** Position, `{occurredAt}#{matchId}` (see {@link positionOf}). */
  readonly pos: string;
  readonly outcome: Outcome;
}

/**
 * The stored item of a lost or drawn match. `runBefore` is the number of wins between the previous
 * break (or the start of the history) and this one, so a change inside a run touches only the break
 * that closes it.
 */
export interface BreakItem {
  readonly pos: string;
  readonly outcome: BreakOutcome;
  readonly runBefore: number;
}

/** What is stored at one position: a won match (no payload) or a break. `undefined` is no item. */
export type SequenceItem =
  | { readonly kind: 'win' }
  | { readonly kind: 'break'; readonly outcome: BreakOutcome; readonly runBefore: number };

/** The stored item of a won match. */
export const WIN: SequenceItem = { kind: 'win' };

/**
 * The per-scope summary, kept beside the counters. `runLengths` counts the maximal runs of wins by
 * length (runs of length 0 are not kept), so the longest streak is its greatest key: the map has at
 * most about √(2·matches) entries, because distinct lengths that sum to at most `matches` are few.
 */
export interface SequenceSummary {
  readonly matches: number;
  /** Wins after the last break: the current win streak. */
  readonly tailRun: number;
  /** Run length (decimal string, as a DynamoDB map key) → number of maximal runs of that length. */
  readonly runLengths: Readonly<Record<string, number>>;
  /** The last `RECENT_RESULTS_SIZE` matches (fewer when fewer were played), newest first. */
  readonly recent: readonly SequenceMatch[];
}

/** The summary of a scope without matches. */
export const EMPTY_SUMMARY: SequenceSummary = { matches: 0, tailRun: 0, runLengths: {}, recent: [] };

/** A scope's whole stored representation: what repair writes and audit compares. */
export interface SequenceState {
  /** Positions of the won matches, ascending. */
  readonly wins: readonly string[];
  /** The breaks, ascending by position. */
  readonly breaks: readonly BreakItem[];
  readonly summary: SequenceSummary;
}

/** The contract's streak and form statistics. */
export interface Streaks {
  readonly currentWinStreak: number;
  readonly longestWinStreak: number;
  /** Outcomes of the last five matches, newest first. */
  readonly recentResults: readonly Outcome[];
}

/** `occurredAt` as `toISOString` writes it for years 0000–9999: fixed width, so string order is time order. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A match's position: `{occurredAt}#{matchId}`. Plain string comparison orders positions by instant,
 * then by match id, as the contract does, because the instant has a fixed width (24 characters) and
 * ids contain no `#`. Anything else would silently misorder the history, so it is rejected.
 */
export function positionOf(occurredAt: string, matchId: string): string {
  if (!INSTANT.test(occurredAt)) throw new RangeError(`not a UTC millisecond instant: ${occurredAt}`);
  if (matchId.length === 0 || matchId.includes('#')) throw new RangeError(`not a match id: ${matchId}`);
  return `${occurredAt}#${matchId}`;
}

/** The outcome a finalization gives the user with this role (the contract: `L` otherwise). */
export function outcomeOf(role: string): Outcome {
  if (role === 'winner') return 'W';
  return role === 'draw' ? 'D' : 'L';
}

/**
 * The reference definition, literally: the statistics of outcomes listed in position order.
 */
export function streaksOf(outcomes: readonly Outcome[]): Streaks {
  let run = 0;
  let longest = 0;
  for (const outcome of outcomes) {
    run = outcome === 'W' ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return {
    currentWinStreak: run,
    longestWinStreak: longest,
    recentResults: outcomes.slice(-RECENT_RESULTS_SIZE).reverse(),
  };
}

/** The greatest run length with a positive count (0 without runs): the longest win streak. */
export function longestRun(runLengths: Readonly<Record<string, number>>): number {
  let longest = 0;
  for (const [length, count] of Object.entries(runLengths))
    if (count > 0) longest = Math.max(longest, Number(length));
  return longest;
}

/** The statistics a stored summary stands for, read in O(distinct run lengths). */
export function streaksOfSummary(summary: SequenceSummary): Streaks {
  return {
    currentWinStreak: summary.tailRun,
    longestWinStreak: longestRun(summary.runLengths),
    recentResults: summary.recent.map((match) => match.outcome),
  };
}

/** `runLengths` with `delta` more runs of `length`; zero lengths and zero counts are not kept. */
export function withRun(
  runLengths: Readonly<Record<string, number>>,
  length: number,
  delta: number,
): Record<string, number> {
  const out = { ...runLengths };
  if (length <= 0 || delta === 0) return out;
  const count = (out[length] ?? 0) + delta;
  if (count < 0) throw new RangeError(`no run of length ${length} to remove`);
  if (count === 0) delete out[length];
  else out[length] = count;
  return out;
}

/**
 * The stored representation of a scope from its whole set of matches: what repair writes, and what
 * the incremental planner must always agree with. Two matches at one position are rejected.
 */
export function sequenceFromMatches(matches: Iterable<SequenceMatch>): SequenceState {
  const sorted = [...matches].sort((a, b) => (a.pos < b.pos ? -1 : a.pos > b.pos ? 1 : 0));
  const wins: string[] = [];
  const breaks: BreakItem[] = [];
  let runLengths: Record<string, number> = {};
  let run = 0;
  sorted.forEach((match, i) => {
    if (i > 0 && sorted[i - 1]?.pos === match.pos) throw new RangeError(`two matches at ${match.pos}`);
    if (match.outcome === 'W') {
      wins.push(match.pos);
      run += 1;
      return;
    }
    breaks.push({ pos: match.pos, outcome: match.outcome, runBefore: run });
    runLengths = withRun(runLengths, run, 1);
    run = 0;
  });
  runLengths = withRun(runLengths, run, 1);
  const recent = sorted.slice(-RECENT_RESULTS_SIZE).reverse();
  return { wins, breaks, summary: { matches: sorted.length, tailRun: run, runLengths, recent } };
}

/** Whether two stored items are the same (both absent included). */
export function sameItem(a: SequenceItem | undefined, b: SequenceItem | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === 'win' || b.kind === 'win') return a.kind === b.kind;
  return a.outcome === b.outcome && a.runBefore === b.runBefore;
}

/** The item a break is stored as. */
export function breakItem(outcome: BreakOutcome, runBefore: number): SequenceItem {
  return { kind: 'break', outcome, runBefore };
}
