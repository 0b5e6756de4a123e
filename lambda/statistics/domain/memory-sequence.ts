import type { SequenceReader } from './overlay.ts';
import {
  type BreakItem,
  type SequenceItem,
  type SequenceMatch,
  type SequenceState,
  sameItem,
  sequenceFromMatches,
} from './sequence.ts';
import type { SequencePlan, StoredSummary } from './streaks.ts';

/** The calls a reader answered, by method. */
export type ReadCounts = Record<keyof SequenceReader, number>;

/** A plan's condition did not hold: nothing of it was applied. */
export class ConditionFailed extends Error {
  override readonly name = 'ConditionFailed';
}

interface ScopeItems {
  wins: string[];
  breaks: BreakItem[];
  stored: StoredSummary | undefined;
}

/** Index of the first element whose key is ≥ `key` (`strict`: > `key`). */
function bound<T>(items: readonly T[], key: string, keyOf: (item: T) => string, strict = false): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const k = keyOf(items[mid] as T);
    if (k < key || (strict && k === key)) low = mid + 1;
    else high = mid;
  }
  return low;
}

const self = (pos: string): string => pos;
const posOf = (item: BreakItem): string => item.pos;

/**
 * Stored sequences in memory, kept in sorted arrays: a {@link SequenceReader} that answers in
 * O(log n), applies plans all-or-nothing with their conditions checked, and counts the calls it
 * answers. Tests use it as the store; audit and repair can use it over the items they load.
 */
export class MemorySequenceStore implements SequenceReader {
  private readonly scopes = new Map<string, ScopeItems>();
  /** Calls answered so far, by method. */
  readonly reads: ReadCounts = { nextBreak: 0, prevBreak: 0, breakAt: 0, countWins: 0, lastMatches: 0 };
  /** Won matches `countWins` has counted so far (what its query reads). */
  winsCounted = 0;

  /** Replaces a scope's items and summary, as repair writes them. */
  load(scope: string, state: SequenceState, version = 1): void {
    this.scopes.set(scope, {
      wins: [...state.wins],
      breaks: [...state.breaks],
      stored: { summary: state.summary, version },
    });
  }

  /** Stores a scope built from its whole set of matches. */
  loadMatches(scope: string, matches: Iterable<SequenceMatch>, version = 1): void {
    this.load(scope, sequenceFromMatches(matches), version);
  }

  /** Every stored summary, by scope (what the projector reads beside the counters). */
  summaries(): Map<string, StoredSummary> {
    const out = new Map<string, StoredSummary>();
    for (const [scope, items] of this.scopes) if (items.stored) out.set(scope, items.stored);
    return out;
  }

  /** A scope's stored items and summary (`undefined` for a scope without a summary). */
  state(scope: string): SequenceState | undefined {
    const items = this.scopes.get(scope);
    if (!items?.stored) return undefined;
    return { wins: [...items.wins], breaks: [...items.breaks], summary: items.stored.summary };
  }

  /** The scopes that have a summary. */
  scopeNames(): string[] {
    return [...this.summaries().keys()];
  }

  /** Total calls answered. */
  totalReads(): number {
    return Object.values(this.reads).reduce((a, b) => a + b, 0);
  }

  async nextBreak(scope: string, pos: string): Promise<BreakItem | undefined> {
    this.reads.nextBreak += 1;
    const { breaks } = this.items(scope);
    return breaks[bound(breaks, pos, posOf, true)];
  }

  async prevBreak(scope: string, pos: string): Promise<BreakItem | undefined> {
    this.reads.prevBreak += 1;
    const { breaks } = this.items(scope);
    return breaks[bound(breaks, pos, posOf) - 1];
  }

  async breakAt(scope: string, pos: string): Promise<BreakItem | undefined> {
    this.reads.breakAt += 1;
    const { breaks } = this.items(scope);
    const found = breaks[bound(breaks, pos, posOf)];
    return found?.pos === pos ? found : undefined;
  }

  async countWins(scope: string, afterPos: string | undefined, beforePos: string): Promise<number> {
    this.reads.countWins += 1;
    const { wins } = this.items(scope);
    const from = afterPos === undefined ? 0 : bound(wins, afterPos, self, true);
    const count = Math.max(0, bound(wins, beforePos, self) - from);
    this.winsCounted += count;
    return count;
  }

  async lastMatches(scope: string, beforePos: string | undefined, n: number): Promise<SequenceMatch[]> {
    this.reads.lastMatches += 1;
    const { wins, breaks } = this.items(scope);
    let w = (beforePos === undefined ? wins.length : bound(wins, beforePos, self)) - 1;
    let b = (beforePos === undefined ? breaks.length : bound(breaks, beforePos, posOf)) - 1;
    const out: SequenceMatch[] = [];
    while (out.length < n && (w >= 0 || b >= 0)) {
      const win = wins[w];
      const lost = breaks[b];
      if (win !== undefined && (lost === undefined || win > lost.pos)) {
        out.push({ pos: win, outcome: 'W' });
        w -= 1;
      } else if (lost) {
        out.push({ pos: lost.pos, outcome: lost.outcome });
        b -= 1;
      }
    }
    return out;
  }

  /** Applies a plan as one transaction: every condition is checked first, then everything is written. */
  apply(plan: SequencePlan): void {
    for (const write of plan.items) {
      const stored = this.itemAt(write.scope, write.pos);
      if (!sameItem(stored, write.expected))
        throw new ConditionFailed(`${write.scope} ${write.pos}: not the item the plan read`);
    }
    for (const write of plan.summaries)
      if (this.scopes.get(write.scope)?.stored?.version !== write.expectedVersion)
        throw new ConditionFailed(`${write.scope}: summary version changed`);
    for (const write of plan.items) this.write(write.scope, write.pos, write.next);
    for (const write of plan.summaries)
      this.items(write.scope).stored = { summary: write.next, version: write.version };
  }

  private itemAt(scope: string, pos: string): SequenceItem | undefined {
    const { wins, breaks } = this.items(scope);
    const w = bound(wins, pos, self);
    if (wins[w] === pos) return { kind: 'win' };
    const found = breaks[bound(breaks, pos, posOf)];
    return found?.pos === pos
      ? { kind: 'break', outcome: found.outcome, runBefore: found.runBefore }
      : undefined;
  }

  private write(scope: string, pos: string, next: SequenceItem | undefined): void {
    const items = this.items(scope);
    const w = bound(items.wins, pos, self);
    if (items.wins[w] === pos) items.wins.splice(w, 1);
    const b = bound(items.breaks, pos, posOf);
    if (items.breaks[b]?.pos === pos) items.breaks.splice(b, 1);
    if (next?.kind === 'win') items.wins.splice(w, 0, pos);
    else if (next) items.breaks.splice(b, 0, { pos, outcome: next.outcome, runBefore: next.runBefore });
  }

  private items(scope: string): ScopeItems {
    let items = this.scopes.get(scope);
    if (!items) {
      items = { wins: [], breaks: [], stored: undefined };
      this.scopes.set(scope, items);
    }
    return items;
  }
}
