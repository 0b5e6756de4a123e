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
 * The operations that turn the `before` placements into the `after` ones (a match has at most one
 * placement per scope), unchanged placements left alone. In each scope the removal comes first, so a
 * move frees its old position before taking the new one, and an insertion at the position just
 * removed follows it at once, so that the planner can reuse what the removal read.
 */
export function placementOps(before: readonly Placement[], after: readonly Placement[]): SequenceOp[] {
  const removed = before.filter((old) => !after.some((next) => samePlacement(old, next)));
  const added = after.filter((next) => !before.some((old) => samePlacement(old, next)));
  const inScope = (scope: string) => (p: Placement) => p.scope === scope;
  const ops: SequenceOp[] = [];
  for (const old of removed) {
    ops.push({ kind: 'remove', ...old });
    const next = added.find(inScope(old.scope));
    if (next) ops.push({ kind: 'insert', ...next });
  }
  for (const next of added) if (!removed.some(inScope(next.scope))) ops.push({ kind: 'insert', ...next });
  return ops;
}

/** The operations a match's change of standing needs. */
export function standingOps(
  before: MatchStanding | undefined,
  after: MatchStanding | undefined,
): SequenceOp[] {
  return placementOps(placementsOf(before), placementsOf(after));
}
