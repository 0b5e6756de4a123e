import { RECENT_RESULTS_SIZE } from '../../shared/contract/limits.ts';
import { type ItemWrite, SequenceOverlay, type SequenceReader } from './overlay.ts';

import {
  type BreakItem,
  breakItem,
  type Outcome,
  type SequenceItem,
  type SequenceMatch,
  type SequenceSummary,
  WIN,
  withRun,
} from './sequence.ts';

/**
 * Incremental maintenance of win streaks and recent form: the writes that insert matches into, or
 * remove them from, a user's stored sequences, planned over reads that never scan the history.
 */

/** Adding or taking away one match of one scope. An outcome change or a move is a remove, then an insert. */
export interface SequenceOp {
  readonly kind: 'insert' | 'remove';
  readonly scope: string;
  readonly pos: string;
  readonly outcome: Outcome;
}

/** A scope's stored summary with its optimistic-lock version. */
export interface StoredSummary {
  readonly summary: SequenceSummary;
  readonly version: number;
}

/** A planned write of a scope's summary: `version` is the new one, `expectedVersion` the one read. */
export interface SummaryWrite {
  readonly scope: string;
  readonly next: SequenceSummary;
  readonly version: number;
  /** `undefined`: no summary may exist yet. */
  readonly expectedVersion: number | undefined;
}

/**
 * What one commit writes: at most two items per operation (its own position, and the break that
 * closes the run it changes), fewer when operations meet at one position, and one summary per scope.
 * Every scope an operation touched gets a summary write, even when the summary comes out unchanged:
 * its version condition is what serialises writers of the scope (the breaks a plan relied on without
 * writing them are covered by it). Item conditions guard each item.
 */
export interface SequencePlan {
  readonly items: readonly ItemWrite[];
  readonly summaries: readonly SummaryWrite[];
}

/** The operations disagree with the stored sequence (a slot and its items out of step): plan again. */
export class SequenceConflict extends Error {
  override readonly name = 'SequenceConflict';
}

/** The run of wins a position falls in: its length, and the break that closes it (none: the tail). */
interface Run {
  readonly length: number;
  readonly closer: BreakItem | undefined;
}

/** A scope's summary while a commit is planned. */
class ScopeWork {
  matches: number;
  tailRun: number;
  runLengths: Record<string, number>;
  /** Always every match from its oldest entry on (so `recent[0]` is the newest match), at most five. */
  recent: SequenceMatch[];

  constructor(readonly stored: StoredSummary | undefined) {
    const summary = stored?.summary;
    this.matches = summary?.matches ?? 0;
    this.tailRun = summary?.tailRun ?? 0;
    this.runLengths = { ...summary?.runLengths };
    this.recent = [...(summary?.recent ?? [])];
  }

  /** Whether no match comes after `pos` (known without a read only at the end of the history). */
  isAtEnd(pos: string): boolean {
    const newest = this.recent[0];
    return this.matches === 0 || (newest !== undefined && pos >= newest.pos);
  }

  /** Takes a new match into `recent` when it is among the last five, or when `recent` holds every match. */
  enter(match: SequenceMatch, matchesBefore: number): void {
    const oldest = this.recent.at(-1);
    if (this.recent.length !== matchesBefore && (oldest === undefined || match.pos < oldest.pos)) return;
    this.recent.push(match);
    this.recent.sort((a, b) => (a.pos > b.pos ? -1 : 1));
    this.recent.length = Math.min(this.recent.length, RECENT_RESULTS_SIZE);
  }

  summary(): SequenceSummary {
    const { matches, tailRun, runLengths, recent } = this;
    return { matches, tailRun, runLengths, recent };
  }
}

/**
 * Plans a commit's operations, in order, over the stored sequences. Each operation reads only
 * around its own position, through an overlay of the writes planned before it.
 *
 * Reads per operation (each one query; answers are memoised within the commit):
 * - a match after the newest one (the common, in-order case): none;
 * - removing the newest match: none for a win, one (`breakAt`) for a loss or draw;
 * - a win anywhere else: one (`nextBreak`), two to remove a loss or draw (`breakAt`, `nextBreak`);
 * - a loss or draw inside a run: three (`nextBreak`, `prevBreak`, `countWins`). `countWins` reads
 *   the won matches of the one run being split, never more of the history. None of the three when
 *   the run is empty, and only the memoised `nextBreak` when the previous operation removed a
 *   break at the same position (a loss overturned into a draw costs the removal's two reads);
 * - plus one per earlier removed break the `nextBreak`/`prevBreak` answer has to step over, and one
 *   `lastMatches` per scope and commit when a match leaves the recent form and older ones refill it.
 */
export class SequencePlanner {
  private readonly overlay: SequenceOverlay;
  private readonly work = new Map<string, ScopeWork>();
  /** The break the previous operation removed, if it removed one. */
  private freed: { readonly scope: string; readonly pos: string; readonly runBefore: number } | undefined;

  constructor(
    reader: SequenceReader,
    private readonly summaries: ReadonlyMap<string, StoredSummary>,
  ) {
    this.overlay = new SequenceOverlay(reader);
  }

  /** Plans one operation after those planned before. */
  async apply(op: SequenceOp): Promise<void> {
    const freed = this.freed;
    this.freed = undefined;
    if (op.kind === 'remove') await this.remove(op);
    else
      await this.insert(op, freed?.scope === op.scope && freed.pos === op.pos ? freed.runBefore : undefined);
  }

  /** The writes of every operation planned so far, with the recent form refilled where needed. */
  async plan(): Promise<SequencePlan> {
    const summaries: SummaryWrite[] = [];
    for (const [scope, work] of this.work) {
      await this.refill(scope, work);
      const expectedVersion = work.stored?.version;
      summaries.push({ scope, next: work.summary(), version: (expectedVersion ?? 0) + 1, expectedVersion });
    }
    return { items: this.overlay.writes(), summaries };
  }

  /**
   * `freedRun`: the run before a break the previous operation removed at this very position. Nothing
   * else changed since, so a loss turned into a draw (or back) needs no count of the wins before it.
   */
  private async insert({ scope, pos, outcome }: SequenceOp, freedRun: number | undefined): Promise<void> {
    const work = this.scope(scope);
    if (this.overlay.entry(scope, pos)?.current || work.recent.some((match) => match.pos === pos))
      throw new SequenceConflict(`${scope}: a match is already at ${pos}`);
    const atEnd = work.isAtEnd(pos);
    const run = await this.runAfter(scope, pos, atEnd);
    if (outcome === 'W') {
      this.overlay.set(scope, pos, undefined, WIN);
      this.resize(scope, run, run.length + 1);
    } else {
      // At the end every win of the tail is before the new break; an empty run needs no count either.
      const left = atEnd || run.length === 0 ? run.length : (freedRun ?? (await this.winsBefore(scope, pos)));
      this.overlay.set(scope, pos, undefined, breakItem(outcome, left));
      this.adjustRuns(work, left, 1);
      this.resize(scope, run, run.length - left);
    }
    work.matches += 1;
    work.enter({ pos, outcome }, work.matches - 1);
  }

  private async remove({ scope, pos, outcome }: SequenceOp): Promise<void> {
    const work = this.scope(scope);
    const item = await this.itemToRemove(scope, pos, outcome, work);
    const atEnd = work.isAtEnd(pos);
    this.overlay.set(scope, pos, item, undefined);
    const run = await this.runAfter(scope, pos, atEnd);
    if (item.kind === 'win') this.resize(scope, run, run.length - 1);
    else {
      // The break's run and the run after it become one.
      this.adjustRuns(work, item.runBefore, -1);
      this.resize(scope, run, item.runBefore + run.length);
      this.freed = { scope, pos, runBefore: item.runBefore };
    }
    work.matches -= 1;
    work.recent = work.recent.filter((match) => match.pos !== pos);
  }

  /** The item a removal takes away: a win is taken on the caller's word (its delete is conditioned on it). */
  private async itemToRemove(
    scope: string,
    pos: string,
    outcome: Outcome,
    work: ScopeWork,
  ): Promise<SequenceItem> {
    const newest = work.recent[0];
    if (work.matches === 0 || (newest !== undefined && pos > newest.pos))
      throw new SequenceConflict(`${scope}: no match at ${pos}`);
    const entry = this.overlay.entry(scope, pos);
    let item: SequenceItem | undefined;
    if (entry) item = entry.current;
    else if (outcome === 'W') item = WIN;
    else {
      const stored = await this.overlay.breakAt(scope, pos);
      item = stored && breakItem(stored.outcome, stored.runBefore);
    }
    const found = item?.kind === 'break' ? item.outcome : item && 'W';
    if (!item || found !== outcome) throw new SequenceConflict(`${scope}: no ${outcome} at ${pos}`);
    return item;
  }

  /** The run a position falls in. */
  private async runAfter(scope: string, pos: string, atEnd: boolean): Promise<Run> {
    const closer = atEnd ? undefined : await this.overlay.nextBreak(scope, pos);
    return { length: closer ? closer.runBefore : this.scope(scope).tailRun, closer };
  }

  /** The wins between the previous break and `pos`: the part of a run a new break leaves before it. */
  private async winsBefore(scope: string, pos: string): Promise<number> {
    const previous = await this.overlay.prevBreak(scope, pos);
    return this.overlay.countWins(scope, previous?.pos, pos);
  }

  /** Gives a run a new length, in the break that closes it or in the tail. */
  private resize(scope: string, run: Run, length: number): void {
    if (length < 0) throw new SequenceConflict(`${scope}: a run of wins would be negative`);
    const work = this.scope(scope);
    this.adjustRuns(work, run.length, -1);
    this.adjustRuns(work, length, 1);
    const { closer } = run;
    if (!closer) work.tailRun = length;
    else
      this.overlay.set(
        scope,
        closer.pos,
        breakItem(closer.outcome, closer.runBefore),
        breakItem(closer.outcome, length),
      );
  }

  private adjustRuns(work: ScopeWork, length: number, delta: number): void {
    try {
      work.runLengths = withRun(work.runLengths, length, delta);
    } catch (error) {
      throw new SequenceConflict(String(error));
    }
  }

  /** Brings `recent` back to five matches (or all of them) after removals, in one read. */
  private async refill(scope: string, work: ScopeWork): Promise<void> {
    const missing = Math.min(RECENT_RESULTS_SIZE, work.matches) - work.recent.length;
    if (missing <= 0) return;
    const older = await this.overlay.lastMatches(scope, work.recent.at(-1)?.pos, missing);
    if (older.length < missing) throw new SequenceConflict(`${scope}: fewer matches stored than counted`);
    work.recent.push(...older);
  }

  private scope(scope: string): ScopeWork {
    let work = this.work.get(scope);
    if (!work) {
      work = new ScopeWork(this.summaries.get(scope));
      this.work.set(scope, work);
    }
    return work;
  }
}

/** Plans `ops`, in order, over the stored sequences and their summaries. */
export async function planSequence(
  reader: SequenceReader,
  summaries: ReadonlyMap<string, StoredSummary>,
  ops: readonly SequenceOp[],
): Promise<SequencePlan> {
  const planner = new SequencePlanner(reader, summaries);
  for (const op of ops) await planner.apply(op);
  return planner.plan();
}
