import { type BreakItem, type SequenceItem, type SequenceMatch, sameItem } from './sequence.ts';

/**
 * Reads of a user's stored sequence items. Each method is one strongly consistent query in
 * production; none of them reads more than the few items it returns, except `countWins`, which
 * reads the won matches of the range it counts.
 */
export interface SequenceReader {
  /** The first break with a position greater than `pos`. */
  nextBreak(scope: string, pos: string): Promise<BreakItem | undefined>;
  /** The last break with a position less than `pos`. */
  prevBreak(scope: string, pos: string): Promise<BreakItem | undefined>;
  /** The break at exactly `pos` (a removed break's `runBefore` is needed to merge its runs). */
  breakAt(scope: string, pos: string): Promise<BreakItem | undefined>;
  /** The number of won matches strictly between the two positions (`undefined`: from the start). */
  countWins(scope: string, afterPos: string | undefined, beforePos: string): Promise<number>;
  /** The `n` matches just before `beforePos` (`undefined`: the last `n`), newest first. */
  lastMatches(scope: string, beforePos: string | undefined, n: number): Promise<readonly SequenceMatch[]>;
}

/** One position touched by the plan: what the store holds there, and what the plan puts there. */
export interface PendingItem {
  readonly original: SequenceItem | undefined;
  current: SequenceItem | undefined;
}

/**
 * A planned write of one item, with the stored item it requires (the transaction's condition). The
 * two may differ in kind: a win overturned into a loss in place is one write from a win to a break
 * (two keys for a store that keeps wins and breaks in separate key ranges).
 */
export interface ItemWrite {
  readonly scope: string;
  readonly pos: string;
  /** What the store must still hold (`undefined`: no item). */
  readonly expected: SequenceItem | undefined;
  /** What to store (`undefined`: delete the item). */
  readonly next: SequenceItem | undefined;
}

const asBreak = (pos: string, item: SequenceItem | undefined): BreakItem | undefined =>
  item?.kind === 'break' ? { pos, outcome: item.outcome, runBefore: item.runBefore } : undefined;

const isWin = (item: SequenceItem | undefined): number => (item?.kind === 'win' ? 1 : 0);

/**
 * The stored sequence as it will be once the pending writes are applied: pending puts, deletes and
 * updates layered over a {@link SequenceReader}, so that several operations planned in one commit
 * each see the effect of the ones before.
 *
 * Rules:
 * - a position with a pending entry is decided by the entry alone (the stored item there is hidden);
 * - `nextBreak`/`prevBreak` take the nearest of the pending breaks and the stored breaks without an
 *   entry, asking the store again past each stored break whose position has an entry (at most one
 *   more query per such entry, and no more once a pending break is nearer);
 * - `countWins` adds, for each entry in range, the win it puts and subtracts the win it hides;
 * - `lastMatches` asks the store for as many more as there are entries in range, then merges;
 * - the store's answers are memoised: the stored items do not change while a commit is planned.
 */
export class SequenceOverlay {
  private readonly entries = new Map<string, Map<string, PendingItem>>();
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(private readonly reader: SequenceReader) {}

  /** The pending entry at a position, if any. */
  entry(scope: string, pos: string): PendingItem | undefined {
    return this.entries.get(scope)?.get(pos);
  }

  /**
   * Plans `current` at a position. `original` is what the store holds there; it is recorded only the
   * first time the position is touched (later calls keep the first one).
   */
  set(
    scope: string,
    pos: string,
    original: SequenceItem | undefined,
    current: SequenceItem | undefined,
  ): void {
    let items = this.entries.get(scope);
    if (!items) {
      items = new Map();
      this.entries.set(scope, items);
    }
    const entry = items.get(pos);
    if (entry) entry.current = current;
    else items.set(pos, { original, current });
  }

  /** The break at `pos`, pending or stored. */
  async breakAt(scope: string, pos: string): Promise<BreakItem | undefined> {
    const entry = this.entry(scope, pos);
    if (entry) return asBreak(pos, entry.current);
    return this.stored(['at', scope, pos], () => this.reader.breakAt(scope, pos));
  }

  /** The first break after `pos`, pending or stored. */
  nextBreak(scope: string, pos: string): Promise<BreakItem | undefined> {
    return this.nearestBreak(scope, pos, 'next');
  }

  /** The last break before `pos`, pending or stored. */
  prevBreak(scope: string, pos: string): Promise<BreakItem | undefined> {
    return this.nearestBreak(scope, pos, 'prev');
  }

  /** The number of won matches strictly between the positions. */
  async countWins(scope: string, afterPos: string | undefined, beforePos: string): Promise<number> {
    let count = await this.stored(['count', scope, afterPos ?? '', beforePos], () =>
      this.reader.countWins(scope, afterPos, beforePos),
    );
    for (const [pos, entry] of this.entries.get(scope) ?? [])
      if ((afterPos === undefined || pos > afterPos) && pos < beforePos)
        count += isWin(entry.current) - isWin(entry.original);
    return count;
  }

  /** The `n` matches just before `beforePos` (`undefined`: the last `n`), newest first. */
  async lastMatches(scope: string, beforePos: string | undefined, n: number): Promise<SequenceMatch[]> {
    const inRange = [...(this.entries.get(scope) ?? [])].filter(
      ([pos]) => beforePos === undefined || pos < beforePos,
    );
    const hidden = inRange.filter(([, entry]) => entry.original !== undefined).length;
    const stored = await this.reader.lastMatches(scope, beforePos, n + hidden);
    const visible: SequenceMatch[] = stored.filter((match) => !this.entry(scope, match.pos));
    for (const [pos, { current }] of inRange)
      if (current) visible.push({ pos, outcome: current.kind === 'win' ? 'W' : current.outcome });
    return visible.sort((a, b) => (a.pos > b.pos ? -1 : a.pos < b.pos ? 1 : 0)).slice(0, n);
  }

  /** The item writes the plan amounts to: every touched position whose item changes. */
  writes(): ItemWrite[] {
    const writes: ItemWrite[] = [];
    for (const [scope, items] of this.entries)
      for (const [pos, { original, current }] of items)
        if (!sameItem(original, current)) writes.push({ scope, pos, expected: original, next: current });
    return writes;
  }

  /**
   * The nearest break on one side of `pos`: the nearer of the nearest pending break and the nearest
   * stored break whose position has no entry (the stored ones with an entry are stepped over).
   */
  private async nearestBreak(
    scope: string,
    pos: string,
    side: 'next' | 'prev',
  ): Promise<BreakItem | undefined> {
    // `beyond(a, b)`: a lies further from `pos` than b on the side looked at.
    const beyond = side === 'next' ? (a: string, b: string) => a > b : (a: string, b: string) => a < b;
    const pending = this.nearestPending(
      scope,
      (p) => beyond(p, pos),
      (a, b) => beyond(b, a),
    );
    for (let from = pos; ; ) {
      const at = from;
      const stored = await this.stored([side, scope, at], () =>
        side === 'next' ? this.reader.nextBreak(scope, at) : this.reader.prevBreak(scope, at),
      );
      if (!stored || (pending && !beyond(pending.pos, stored.pos))) return pending;
      if (!this.entry(scope, stored.pos)) return stored;
      from = stored.pos;
    }
  }

  /** The pending break nearest to `pos` among those `wanted` selects. */
  private nearestPending(
    scope: string,
    wanted: (pos: string) => boolean,
    nearer: (a: string, b: string) => boolean,
  ): BreakItem | undefined {
    let best: BreakItem | undefined;
    for (const [pos, entry] of this.entries.get(scope) ?? []) {
      const item = asBreak(pos, entry.current);
      if (item && wanted(pos) && (!best || nearer(pos, best.pos))) best = item;
    }
    return best;
  }

  /** One stored answer, asked once per commit. */
  private stored<T>(key: readonly string[], ask: () => Promise<T>): Promise<T> {
    const id = key.join('\u0000');
    let answer = this.memo.get(id) as Promise<T> | undefined;
    if (!answer) {
      answer = ask();
      this.memo.set(id, answer);
    }
    return answer;
  }
}
