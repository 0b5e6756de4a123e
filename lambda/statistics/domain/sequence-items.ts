import type { ItemWrite } from './overlay.ts';
import type { BreakItem, BreakOutcome, SequenceItem } from './sequence.ts';

/**
 * The sequence items of a user's statistics partition: one item per counted match and scope, a win
 * under `W#{scope}#{pos}` or a break (loss or draw, with the wins before it) under
 * `B#{scope}#{pos}`. Wins and breaks live in separate key ranges, so the next or previous break is
 * one item read whatever lies between, and counting the wins of a run reads only that run's keys.
 *
 * Positions are `{occurredAt}#{matchId}`: the UTC instant, then an id of `[A-Za-z0-9_.-]`. Every
 * character of a key is printable ASCII between `!` and `}`, which is what the range bounds below
 * rely on: a space sorts before all of them and `~` after all of them.
 */

/** Sort key prefix of won matches. */
export const WIN_PREFIX = 'W#';
/** Sort key prefix of lost and drawn matches (breaks). */
export const BREAK_PREFIX = 'B#';

/** Sorts before every key character. */
const BELOW = ' ';
/** Sorts after every key character. */
const ABOVE = '~';

/** The key range of one scope's wins or breaks. */
export function rangePrefix(kind: 'win' | 'break', scope: string): string {
  return `${kind === 'win' ? WIN_PREFIX : BREAK_PREFIX}${scope}#`;
}

/** The sort key of a won match. */
export function winSk(scope: string, pos: string): string {
  return `${rangePrefix('win', scope)}${pos}`;
}

/** The sort key of a break. */
export function breakSk(scope: string, pos: string): string {
  return `${rangePrefix('break', scope)}${pos}`;
}

/** The least key bound above `sk`: `BETWEEN` from it takes every key greater than `sk`, and not `sk`. */
export function justAfter(sk: string): string {
  return `${sk}${BELOW}`;
}

/**
 * The greatest key bound below `sk`: `BETWEEN` up to it takes every key less than `sk`, and not
 * `sk`. The last character is lowered by one and followed by a character above all others, which
 * no key can reach without being `sk` or greater.
 */
export function justBefore(sk: string): string {
  const last = sk.charCodeAt(sk.length - 1);
  return `${sk.slice(0, -1)}${String.fromCharCode(last - 1)}${ABOVE}`;
}

/** The greatest key bound of a range: every key that starts with `prefix` is below it. */
export function rangeEnd(prefix: string): string {
  return `${prefix}${ABOVE}`;
}

/** The item a break is stored as. */
export function breakAttributes(outcome: BreakOutcome, runBefore: number) {
  return { outcome, runBefore };
}

/** A break from its stored item (`pos` read off the sort key). */
export function breakOfItem(item: Readonly<Record<string, unknown>>, prefix: string): BreakItem {
  return {
    pos: String(item.sk).slice(prefix.length),
    outcome: item.outcome === 'D' ? 'D' : 'L',
    runBefore: Number(item.runBefore ?? 0),
  };
}

/**
 * What a conditioned write requires of the stored item: absent (`undefined`), present, or holding
 * these attribute values (the shape of the shared conditioned writes' expectation).
 */
export type ItemExpectation =
  | undefined
  | 'present'
  | { readonly values: Readonly<Record<string, string | number>> };

/** One conditioned put or delete of a sequence item. */
export type SequenceChange =
  | { readonly put: Record<string, unknown>; readonly expected: ItemExpectation }
  | { readonly delete: { readonly userId: string; readonly sk: string }; readonly expected: ItemExpectation };

const keyOf = (userId: string, scope: string, pos: string, item: SequenceItem) => ({
  userId,
  sk: item.kind === 'win' ? winSk(scope, pos) : breakSk(scope, pos),
});

const expectationOf = (item: SequenceItem): ItemExpectation =>
  item.kind === 'win' ? 'present' : { values: breakAttributes(item.outcome, item.runBefore) };

/**
 * The conditioned puts and deletes a planned sequence write amounts to: a put or a delete under the
 * item's own key, or both when the kind changes (a delete of the win and a put of the break, or back).
 */
export function sequenceChanges(userId: string, write: ItemWrite): SequenceChange[] {
  const { scope, pos, expected, next } = write;
  const changes: SequenceChange[] = [];
  const sameKey = expected && next && expected.kind === next.kind;
  if (expected && !sameKey)
    changes.push({ delete: keyOf(userId, scope, pos, expected), expected: expectationOf(expected) });
  if (next) {
    const attributes = next.kind === 'break' ? breakAttributes(next.outcome, next.runBefore) : {};
    const put = { ...keyOf(userId, scope, pos, next), ...attributes };
    changes.push({ put, expected: sameKey ? expectationOf(expected) : undefined });
  }
  return changes;
}

/** A scope and position from a sequence item's sort key (`undefined`: not a sequence item). */
export function sequenceKeyOf(sk: string): { kind: 'win' | 'break'; scope: string; pos: string } | undefined {
  const kind = sk.startsWith(WIN_PREFIX) ? 'win' : sk.startsWith(BREAK_PREFIX) ? 'break' : undefined;
  if (!kind) return undefined;
  // `{prefix}{scope}#{occurredAt}#{matchId}`: the scope has no `#`, the position is the rest.
  const rest = sk.slice(WIN_PREFIX.length);
  const hash = rest.indexOf('#');
  return { kind, scope: rest.slice(0, hash), pos: rest.slice(hash + 1) };
}
