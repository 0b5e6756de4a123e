import fc from 'fast-check';
import type { DetailType } from '../../lambda/domain/event-types.ts';

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
