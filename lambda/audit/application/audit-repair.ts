import { MAX_TRANSACTION_ITEMS } from '../../shared/contract/limits.ts';
import {
  addCounters,
  type Counters,
  EMPTY_SCOPE,
  type ItemWrite,
  type ScopeState,
  type SequenceItem,
  type Slot,
  type StoredSequence,
  sameItem,
  scopesOf,
} from '../../statistics/index.ts';
import type { ExpectedPartition } from './audit-compare.ts';

/**
 * How a repair rewrites a user's statistics partition to what the applied activities define, in
 * transactions of at most 100 actions, every write conditioned on the state read. Pure: it plans,
 * the store writes.
 *
 * The order keeps the partition usable by the projector after every transaction:
 * 1. every scope whose sequence drifted loses its sequence summary: the projector then keeps that
 *    scope's counters and leaves its sequence alone, as for statistics from before sequences;
 * 2. drifted slots are rewritten, each transaction moving its scopes' counters by its own difference,
 *    so counters and slots agree after each one;
 * 3. the sequence items of those scopes are rewritten (nobody else writes them meanwhile);
 * 4. every scope item is written as it should be, its sequence summary back, and a game item no
 *    applied activity supports is deleted.
 * Each write of a scope item checks and increments its version, so a projector write in between
 * cancels the next transaction and the repair starts over from a fresh read.
 */

/** One scope item write of a repair: put `next`, or delete the item (`undefined`). */
export interface ScopeRepair {
  readonly scope: string;
  readonly next: ScopeState | undefined;
  /** The version the item must still have; `undefined`: it must not exist. */
  readonly expectedVersion: number | undefined;
}

/** One repair transaction: slots, sequence items and scope items, each conditioned on the state read. */
export interface RepairWrite {
  readonly userId: string;
  readonly slotWrites: readonly {
    readonly name: string;
    /** The slot to write, or `undefined` to delete a slot no applied activity supports. */
    readonly slot: Slot | undefined;
    /** The rank the slot must still have; `undefined`: it must not exist. */
    readonly expectedRank: string | undefined;
  }[];
  readonly sequenceWrites: readonly ItemWrite[];
  readonly scopeWrites: readonly ScopeRepair[];
}

/** What a repair starts from: the stored partition, what it should be, and what drifted. */
export interface RepairInput {
  readonly userId: string;
  readonly stored: {
    readonly scopes: ReadonlyMap<string, ScopeState>;
    readonly slots: ReadonlyMap<string, Slot>;
    readonly sequences: ReadonlyMap<string, StoredSequence>;
  };
  readonly expected: ExpectedPartition;
  readonly driftedSlots: readonly string[];
  readonly driftedSequences: readonly string[];
}

/** The scope items as the repair's transactions leave them, one after the other. */
class ScopeLedger {
  private readonly current = new Map<string, ScopeState | undefined>();

  constructor(stored: ReadonlyMap<string, ScopeState>) {
    for (const [scope, state] of stored) this.current.set(scope, state);
  }

  /** The write that replaces a scope's item by `change` of it (an absent item counts as empty). */
  write(scope: string, change: (state: ScopeState) => Omit<ScopeState, 'version'>): ScopeRepair {
    const stored = this.current.get(scope);
    const next = { ...change(stored ?? EMPTY_SCOPE), version: (stored?.version ?? 0) + 1 };
    this.current.set(scope, next);
    return { scope, next, expectedVersion: stored?.version };
  }

  /** The write that deletes a scope's item. */
  remove(scope: string): ScopeRepair {
    const stored = this.current.get(scope);
    this.current.set(scope, undefined);
    return { scope, next: undefined, expectedVersion: stored?.version };
  }

  scopes(): string[] {
    return [...this.current].flatMap(([scope, state]) => (state ? [scope] : []));
  }
}

/** Cuts writes into groups of at most `size`. */
function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Step 2: the drifted slots, each transaction moving the counters of the scopes its slots leave and enter. */
function slotTransactions(input: RepairInput, ledger: ScopeLedger): RepairWrite[] {
  // Each slot can move counters in three scopes (overall, its old and its new game): room for them.
  return chunked(input.driftedSlots, Math.floor((MAX_TRANSACTION_ITEMS - 1) / 3)).map((names) => {
    const moves = new Map<string, Counters>();
    const move = (slot: Slot | undefined, sign: 1 | -1) => {
      if (slot)
        for (const scope of scopesOf(slot.gameId))
          moves.set(scope, addCounters(moves.get(scope) ?? EMPTY_SCOPE.counters, slot.counters, sign));
    };
    const slotWrites = names.map((name) => {
      const have = input.stored.slots.get(name);
      const want = input.expected.slots.get(name);
      move(have, -1);
      move(want, 1);
      return { name, slot: want, expectedRank: have?.rank };
    });
    const scopeWrites = [...moves].map(([scope, delta]) =>
      ledger.write(scope, (state) => ({ ...state, counters: addCounters(state.counters, delta) })),
    );
    return { userId: input.userId, slotWrites, sequenceWrites: [], scopeWrites };
  });
}

/** The item stored, and the item wanted, at every position of a scope where they differ. */
function sequenceDiff(scope: string, have: StoredSequence, want: StoredSequence): ItemWrite[] {
  const items = (sequence: StoredSequence) => {
    const out = new Map<string, SequenceItem>();
    for (const pos of sequence.wins) out.set(pos, { kind: 'win' });
    for (const { pos, outcome, runBefore } of sequence.breaks)
      out.set(pos, { kind: 'break', outcome, runBefore });
    return out;
  };
  const [stored, wanted] = [items(have), items(want)];
  return [...new Set([...stored.keys(), ...wanted.keys()])].sort().flatMap((pos) => {
    const [expected, next] = [stored.get(pos), wanted.get(pos)];
    return sameItem(expected, next) ? [] : [{ scope, pos, expected, next }];
  });
}

/** Step 3: the sequence items of the drifted scopes (a change of kind takes two actions). */
function sequenceTransactions(input: RepairInput): RepairWrite[] {
  const writes = input.driftedSequences.flatMap((scope) =>
    sequenceDiff(
      scope,
      input.stored.sequences.get(scope) ?? { wins: [], breaks: [] },
      input.expected.sequences.get(scope) ?? { wins: [], breaks: [] },
    ),
  );
  return chunked(writes, MAX_TRANSACTION_ITEMS / 2).map((sequenceWrites) => ({
    userId: input.userId,
    slotWrites: [],
    sequenceWrites,
    scopeWrites: [],
  }));
}

/** The transactions that rewrite one user's drifted statistics, in the order they must be written. */
export function repairTransactions(input: RepairInput): RepairWrite[] {
  const { userId, expected } = input;
  const ledger = new ScopeLedger(input.stored.scopes);
  const unsequenced = input.driftedSequences.map((scope) =>
    ledger.write(scope, (s) => ({ ...s, summary: undefined })),
  );
  const transactions: RepairWrite[] = [
    ...chunked(unsequenced, MAX_TRANSACTION_ITEMS).map((scopeWrites) => ({
      userId,
      slotWrites: [],
      sequenceWrites: [],
      scopeWrites,
    })),
    ...slotTransactions(input, ledger),
    ...sequenceTransactions(input),
  ];
  const scopes = [...new Set([...ledger.scopes(), ...expected.scopes.keys()])];
  const final = scopes.map((scope) => {
    const want = expected.scopes.get(scope);
    return want ? ledger.write(scope, () => want) : ledger.remove(scope);
  });
  for (const scopeWrites of chunked(final, MAX_TRANSACTION_ITEMS))
    transactions.push({ userId, slotWrites: [], sequenceWrites: [], scopeWrites });
  return transactions;
}
