import { type Outcome, outcomeOf, positionOf, type SequenceMatch } from './sequence.ts';
import type { SequenceOp } from './streaks.ts';

/**
 * Where a user's match stands in their sequences: the overall scope always, and the scope of the
 * game its counting finalization carries. What the projector keeps per match, and how a new
 * finalization turns into sequence operations.
 */

/** The scope of every match, whatever its game. Game ids cannot contain `:`, so no game scope equals it. */
export const OVERALL_SCOPE = 'all';

/** The scope of one game's matches. */
export function gameScope(gameId: string): string {
  return `game:${gameId}`;
}

/** A match in one scope. */
export interface Placement extends SequenceMatch {
  readonly scope: string;
}

/** What a user's match finalization brings to the match's standing. */
export interface MatchFinalization {
  readonly matchId: string;
  readonly idempotencyKey: string;
  /** UTC ISO with milliseconds (`toISOString`). */
  readonly occurredAt: string;
  /** The user's role: `winner`, `draw`, anything else loses. */
  readonly role: string;
  readonly gameId?: string | undefined;
}

/** A user's match as the sequences see it, from all of the user's finalizations of it. */
export interface MatchStanding {
  readonly matchId: string;
  /** The earliest `occurredAt` among the finalizations: an overturn changes the outcome, not when it was played. */
  readonly firstAt: string;
  /** `{occurredAt}#{idempotencyKey}` of the counting finalization (latest wins). */
  readonly rank: string;
  /** The outcome, from the counting finalization. */
  readonly outcome: Outcome;
  /** The game of the counting finalization; the match belongs to it. */
  readonly gameId: string | undefined;
}

/**
 * The standing once `finalization` is known too. Order does not matter: the earliest instant and
 * the greatest rank are kept, so any arrival order ends in the same standing.
 */
export function standingAfter(
  standing: MatchStanding | undefined,
  finalization: MatchFinalization,
): MatchStanding {
  const { matchId, occurredAt, idempotencyKey } = finalization;
  if (standing && standing.matchId !== matchId) throw new RangeError(`${matchId} is not ${standing.matchId}`);
  const rank = `${occurredAt}#${idempotencyKey}`;
  const firstAt = standing && standing.firstAt < occurredAt ? standing.firstAt : occurredAt;
  if (standing && standing.rank >= rank) return { ...standing, firstAt };
  return { matchId, firstAt, rank, outcome: outcomeOf(finalization.role), gameId: finalization.gameId };
}

/** The scopes a standing puts its match in, with its position and outcome (none without a standing). */
export function placementsOf(standing: MatchStanding | undefined): Placement[] {
  if (!standing) return [];
  const pos = positionOf(standing.firstAt, standing.matchId);
  const placements: Placement[] = [{ scope: OVERALL_SCOPE, pos, outcome: standing.outcome }];
  if (standing.gameId !== undefined)
    placements.push({ scope: gameScope(standing.gameId), pos, outcome: standing.outcome });
  return placements;
}

const samePlacement = (a: Placement, b: Placement): boolean =>
  a.scope === b.scope && a.pos === b.pos && a.outcome === b.outcome;

/**
 * The operations that turn the `before` placements into the `after` ones: removals first (a move
 * within a scope frees its old position before the new one is taken), unchanged placements left alone.
 */
export function placementOps(before: readonly Placement[], after: readonly Placement[]): SequenceOp[] {
  const removed = before.filter((old) => !after.some((next) => samePlacement(old, next)));
  const added = after.filter((next) => !before.some((old) => samePlacement(old, next)));
  return [
    ...removed.map((p): SequenceOp => ({ kind: 'remove', ...p })),
    ...added.map((p): SequenceOp => ({ kind: 'insert', ...p })),
  ];
}

/** The operations a match's change of standing needs. */
export function standingOps(
  before: MatchStanding | undefined,
  after: MatchStanding | undefined,
): SequenceOp[] {
  return placementOps(placementsOf(before), placementsOf(after));
}
