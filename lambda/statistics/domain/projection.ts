import type { ItemWrite, SequenceReader } from './overlay.ts';
import { standingOps } from './placement.ts';
import { EMPTY_SCOPE, type ScopeState, scopesOf, standingOfSlot } from './scopes.ts';
import { EMPTY_SUMMARY, type SequenceSummary } from './sequence.ts';
import { addCounters, type Counters, type Effect, matchesPlayed, mergeSlot, type Slot } from './stats.ts';
import { planSequence, SequenceConflict, type SequenceOp, type StoredSummary } from './streaks.ts';

/** What the projector read for one user before applying effects. */
export interface ProjectionState {
  /**
   * The scopes read, by scope (`all`, `game:{gameId}`): their stored state, or `undefined` when the
   * scope has no item yet. A scope the plan needs must have been read.
   */
  readonly scopes: ReadonlyMap<string, ScopeState | undefined>;
  /** The slot items read, by slot name; a missing entry means no item exists yet. */
  readonly slots: ReadonlyMap<string, Slot>;
  /** Keys whose effect was already applied (their marker exists). */
  readonly applied: ReadonlySet<string>;
}

/** A scope's new state, with the version the stored one must still have (`undefined`: no item yet). */
export interface ScopeWrite {
  readonly scope: string;
  readonly next: ScopeState;
  readonly expectedVersion: number | undefined;
}

/** One atomic write that applies effects; every part is conditioned on the state it was planned from. */
export interface ProjectionCommit {
  readonly userId: string;
  /** Markers to create (must not exist yet). */
  readonly markers: readonly string[];
  /** Slots whose counting finalization or position changes, with the rank they must still have (`undefined`: absent). */
  readonly slots: readonly { readonly next: Slot; readonly expectedRank: string | undefined }[];
  /** Every scope the effects touch: counters, activity count, sequence summary, version. */
  readonly scopes: readonly ScopeWrite[];
  /** The sequence items that change, each with the stored item it requires. */
  readonly sequence: readonly ItemWrite[];
}

/** A slot whose counting finalization or completion (or a match's position) changes. */
interface SlotChange {
  readonly before: Slot | undefined;
  readonly after: Slot;
}

/** The effects not applied yet, one per idempotency key. */
function freshEffects(state: ProjectionState, effects: readonly Effect[]): Effect[] {
  const fresh = new Map<string, Effect>();
  for (const effect of effects)
    if (!state.applied.has(effect.idempotencyKey) && !fresh.has(effect.idempotencyKey))
      fresh.set(effect.idempotencyKey, effect);
  return [...fresh.values()];
}

/** Latest wins per slot over the stored slot and the new effects; a change of rank or of position counts. */
function slotChanges(stored: ReadonlyMap<string, Slot>, fresh: readonly Effect[]): SlotChange[] {
  const merged = new Map<string, Slot>();
  for (const { slot } of fresh)
    if (slot) merged.set(slot.slot, mergeSlot(merged.get(slot.slot) ?? stored.get(slot.slot), slot));
  const changes: SlotChange[] = [];
  for (const [name, after] of merged) {
    const before = stored.get(name);
    if (!before || before.rank !== after.rank || before.firstAt !== after.firstAt)
      changes.push({ before, after });
  }
  return changes;
}

/** The working totals of every scope a commit touches, from their stored state. */
class ScopeBook {
  private readonly work = new Map<
    string,
    { counters: Counters; activityCount: number; last: string | null }
  >();

  constructor(private readonly stored: ProjectionState['scopes']) {}

  /** One more activity in the scope. */
  count(scope: string, occurredAt: string): void {
    const totals = this.totals(scope);
    totals.activityCount += 1;
    if (totals.last === null || occurredAt > totals.last) totals.last = occurredAt;
  }

  /** A slot's counters enter (`1`) or leave (`-1`) the scope. */
  move(scope: string, counters: Counters, sign: 1 | -1): void {
    const totals = this.totals(scope);
    totals.counters = addCounters(totals.counters, counters, sign);
  }

  /** Writes the scope even if nothing of it changes (its version serialises the sequence's writers). */
  touch(scope: string): void {
    this.totals(scope);
  }

  /** The summaries the sequence planner starts from: the sequenced scopes read. */
  summaries(): Map<string, StoredSummary> {
    const out = new Map<string, StoredSummary>();
    for (const [scope, state] of this.stored)
      if (state?.summary) out.set(scope, { summary: state.summary, version: state.version });
    return out;
  }

  /** Whether the scope keeps a sequence (every scope but an overall item from before sequences). */
  isSequenced(scope: string): boolean {
    const stored = this.read(scope);
    return stored === undefined || stored.summary !== undefined;
  }

  /** Every touched scope's write; `planned` holds the summaries the sequence planner changed. */
  writes(planned: ReadonlyMap<string, SequenceSummary>): ScopeWrite[] {
    return [...this.work].map(([scope, totals]) => {
      const stored = this.read(scope);
      const summary = planned.get(scope) ?? (stored ? stored.summary : EMPTY_SUMMARY);
      const played = matchesPlayed(totals.counters);
      if (summary && summary.matches !== played)
        throw new SequenceConflict(`${scope}: ${summary.matches} matches in sequence, ${played} counted`);
      const next: ScopeState = {
        counters: totals.counters,
        activityCount: totals.activityCount,
        lastActivityAt: totals.last,
        version: (stored?.version ?? 0) + 1,
        summary,
      };
      return { scope, next, expectedVersion: stored?.version };
    });
  }

  private read(scope: string): ScopeState | undefined {
    if (!this.stored.has(scope)) throw new RangeError(`scope ${scope} was not read before planning`);
    return this.stored.get(scope);
  }

  private totals(scope: string) {
    let totals = this.work.get(scope);
    if (!totals) {
      const state = this.read(scope) ?? EMPTY_SCOPE;
      totals = { counters: state.counters, activityCount: state.activityCount, last: state.lastActivityAt };
      this.work.set(scope, totals);
    }
    return totals;
  }
}

/**
 * The scopes a plan of these effects reads: the overall scope, every game the effects carry, and
 * every game their stored slots belong to.
 */
export function scopesToRead(effects: readonly Effect[], slots: ReadonlyMap<string, Slot>): string[] {
  const scopes = new Set<string>(scopesOf(undefined));
  for (const effect of effects) {
    for (const scope of scopesOf(effect.gameId)) scopes.add(scope);
    const stored = effect.slot && slots.get(effect.slot.slot);
    if (stored) for (const scope of scopesOf(stored.gameId)) scopes.add(scope);
  }
  return [...scopes];
}

/**
 * Plans the write that applies `effects` (one user's activities) to `state`, or returns `undefined`
 * when all of them were applied before. What it writes does not depend on the user's history: one
 * marker per new activity, one item per slot whose counting finalization or position changes, one
 * summary item per scope touched, and the few sequence items around each match that moves; what it
 * reads beyond `state` is what the sequence planner asks of `reader` (nothing for a match played
 * after every other one).
 *
 * Latest wins: a slot's outcome and game change only when a new effect outranks the one counting
 * now, and then every scope moves by the difference between the two; an older finalization arriving
 * late adds to `activityCount`, and moves the match to its earlier position.
 * @throws SequenceConflict when the stored sequence disagrees with the slots (read again and plan again)
 */
export async function planProjection(
  userId: string,
  state: ProjectionState,
  effects: readonly Effect[],
  reader: SequenceReader,
): Promise<ProjectionCommit | undefined> {
  const fresh = freshEffects(state, effects);
  if (fresh.length === 0) return undefined;
  const book = new ScopeBook(state.scopes);
  for (const effect of fresh)
    for (const scope of scopesOf(effect.gameId)) book.count(scope, effect.occurredAt);
  const changes = slotChanges(state.slots, fresh);
  const ops: SequenceOp[] = [];
  for (const { before, after } of changes) {
    if (before) for (const scope of scopesOf(before.gameId)) book.move(scope, before.counters, -1);
    for (const scope of scopesOf(after.gameId)) book.move(scope, after.counters, 1);
    for (const op of standingOps(standingOfSlot(before), standingOfSlot(after)))
      if (book.isSequenced(op.scope)) ops.push(op);
  }
  const sequence = await planSequence(reader, book.summaries(), ops);
  for (const { scope } of sequence.summaries) book.touch(scope);
  return {
    userId,
    markers: fresh.map((effect) => effect.idempotencyKey),
    slots: changes.map(({ before, after }) => ({ next: after, expectedRank: before?.rank })),
    scopes: book.writes(new Map(sequence.summaries.map((s) => [s.scope, s.next]))),
    sequence: sequence.items,
  };
}

/** Whether a sequence write changes the kind of item at its position (a win key and a break key). */
export function changesKind(write: ItemWrite): boolean {
  return write.expected !== undefined && write.next !== undefined && write.expected.kind !== write.next.kind;
}

/**
 * The transaction actions a commit takes: one per marker, slot and scope, one per sequence write,
 * and two for a write that turns a win into a break or back (wins and breaks are kept under
 * different keys: a delete and a put).
 */
export function commitActionCount(commit: ProjectionCommit): number {
  const sequence = commit.sequence.reduce((n, write) => n + (changesKind(write) ? 2 : 1), 0);
  return commit.markers.length + commit.slots.length + commit.scopes.length + sequence;
}
