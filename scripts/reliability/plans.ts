import fc from 'fast-check';
import type { DetailType } from '../../lambda/shared/contract/event-types.ts';

/*
 * Building blocks of generated tournaments, shared by the chaos and soak runs (scripts/) and the
 * property tests (test/support/tournament.ts).
 */

/** One published action: a detail type and its detail. */
export interface PlannedEvent {
  readonly detailType: DetailType;
  readonly detail: Record<string, unknown>;
}

/** The instant `minute` minutes after the generated tournaments' day starts (UTC ISO). */
export const instant = (minute: number) =>
  new Date(Date.UTC(2026, 4, 1, 12, 0, 0) + minute * 60_000).toISOString();

/**
 * One to three finalizations of a match, from `firstMinute` to minute 50, each with its own winner
 * (or a draw, or nobody) and resolution: re-finalizations as after a dispute.
 */
export function finalizationsArbitrary(firstMinute: number) {
  return fc.array(
    fc.record({
      minute: fc.integer({ min: firstMinute, max: 50 }),
      winner: fc.constantFrom('a', 'b', 'draw', 'none'),
      resolution: fc.constantFrom('completed', 'forfeit', 'dispute_resolved'),
    }),
    { minLength: 1, maxLength: 3 },
  );
}

/** One generated finalization (an element of {@link finalizationsArbitrary}). */
export interface PlannedFinalization {
  readonly minute: number;
  readonly winner: 'a' | 'b' | 'draw' | 'none';
  readonly resolution: string;
}

/**
 * The detail fields of the `revision`-th finalization of the match between users `a` and `b`:
 * `revision` keeps two with the same resolution apart, as the contract asks of a status that recurs.
 */
export function finalizationFields(
  f: PlannedFinalization,
  match: { readonly matchId: string; readonly a: string; readonly b: string },
  revision: number,
): Record<string, unknown> {
  const { matchId, a, b } = match;
  return {
    occurredAt: instant(f.minute),
    matchId,
    resolution: f.resolution,
    participantUserIds: [a, b],
    winnerUserIds: f.winner === 'a' ? [a] : f.winner === 'b' ? [b] : [],
    isDraw: f.winner === 'draw',
    revision,
  };
}

/** A deterministic shuffle (linear congruential) driven by a seed, so fast-check can shrink and replay it. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i -= 1) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
