import fc from 'fast-check';
import type { DetailType } from '../../lambda/shared/contract/event-types.ts';
import { finalizationFields, finalizationsArbitrary, instant, type PlannedEvent, shuffled } from './plans.ts';

/** One published action: a detail type and its detail, valid unless `invalid` says why not. */
export interface ScenarioEvent extends PlannedEvent {
  /** Set on events broken on purpose: they must end in the dead-letter table and record nothing. */
  readonly invalid?: string;
}

/** A stretch of the run under one flag value; its batches are published with overlapping delays. */
export interface Segment {
  readonly flag: string;
  readonly batches: readonly { readonly delayMs: number; readonly copies: readonly number[] }[];
  /** Restart the statistics stream consumer from an earlier sequence number after this segment. */
  readonly restartConsumer: boolean;
}

/** One chaos run: what happened on the platform and how hostile delivery was. */
export interface Scenario {
  readonly events: readonly ScenarioEvent[];
  readonly segments: readonly Segment[];
  /** Probability that one activity write fails (half before the write, half after it). */
  readonly recordFaultRate: number;
  /** Probability that one statistics batch fails part-way (after applying its first half). */
  readonly statsFaultRate: number;
  /** Seed of the fault decisions, so a failing run can be replayed. */
  readonly faultSeed: number;
}

const tournamentPlan = fc.record({
  /** The game the tournament is played in; some tournaments name none. */
  game: fc.constantFrom<string | undefined>('valorant', 'efootball', undefined),
  participants: fc.uniqueArray(fc.nat({ max: 39 }), { minLength: 2, maxLength: 16 }),
  registrations: fc.array(fc.record({ rejectedFirst: fc.boolean(), paid: fc.boolean() }), { maxLength: 4 }),
  checkIns: fc.array(fc.record({ user: fc.nat(), minute: fc.nat({ max: 10 }), checkedIn: fc.boolean() }), {
    maxLength: 4,
  }),
  matches: fc.array(
    fc.record({
      a: fc.nat(),
      b: fc.nat(),
      finalizations: finalizationsArbitrary(5),
      dispute: fc.constantFrom('none', 'open', 'upheld', 'rejected'),
      bothReport: fc.boolean(),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  completions: fc.array(fc.record({ minute: fc.integer({ min: 40, max: 60 }), winner: fc.nat() }), {
    maxLength: 2,
  }),
});

/** Ways to break a valid event; each must be rejected by the contract. */
const BREAKAGES: readonly [string, (detail: Record<string, unknown>) => Record<string, unknown>][] = [
  ['key separator in the tournament id', (d) => ({ ...d, tournamentId: `${String(d.tournamentId)}:x` })],
  ['occurredAt without a zone', (d) => ({ ...d, occurredAt: '2026-05-01T12:00:00' })],
  ['schemaVersion 2', (d) => ({ ...d, schemaVersion: 2 })],
  ['negative revision', (d) => ({ ...d, revision: -1 })],
  ['tournament id missing', ({ tournamentId: _dropped, ...rest }) => rest],
];

type TournamentPlan = typeof tournamentPlan extends fc.Arbitrary<infer T> ? T : never;
type MatchPlan = TournamentPlan['matches'][number];

/** Writes one tournament's events: its ids, its participants, and where the events go. */
interface TournamentWriter {
  readonly tournamentId: string;
  readonly participants: readonly string[];
  /** The participant a generated number picks. */
  user(n: number): string;
  push(detailType: DetailType, detail: Record<string, unknown>): void;
}

function registrationEvents(w: TournamentWriter, plan: TournamentPlan): void {
  plan.registrations.forEach((r, i) => {
    const registrationId = `${w.tournamentId}r${i}`;
    const userIds = [w.user(i)];
    if (r.rejectedFirst)
      w.push('RegistrationStatusChanged', {
        occurredAt: instant(0),
        registrationId,
        status: 'rejected',
        userIds,
      });
    w.push('RegistrationStatusChanged', {
      occurredAt: instant(1),
      registrationId,
      status: 'approved',
      userIds,
    });
    if (r.paid)
      w.push('PaymentStatusChanged', {
        occurredAt: instant(2),
        paymentId: `${registrationId}p`,
        registrationId,
        status: 'verified',
        userIds,
      });
  });
  for (const [i, c] of plan.checkIns.entries())
    w.push('CheckInToggled', {
      occurredAt: instant(c.minute),
      registrationId: `${w.tournamentId}c${i % 2}`,
      checkedIn: c.checkedIn,
      userIds: [w.user(c.user)],
      // Toggling back and forth repeats a status: the revision keeps each toggle its own action.
      revision: i,
    });
}

function disputeEvents(
  w: TournamentWriter,
  m: MatchPlan,
  i: number,
  match: { readonly matchId: string; readonly b: string; readonly participantUserIds: readonly string[] },
): void {
  if (m.dispute === 'none') return;
  const { matchId, participantUserIds } = match;
  const disputeId = `${w.tournamentId}d${i}`;
  w.push('DisputeOpened', {
    occurredAt: instant(30),
    disputeId,
    matchId,
    openedByUserId: match.b,
    participantUserIds,
  });
  if (m.dispute !== 'open')
    w.push('DisputeResolved', {
      occurredAt: instant(55),
      disputeId,
      matchId,
      resolution: m.dispute,
      participantUserIds,
    });
  // An upheld dispute overturns the result: a later finalization names the other winner.
  if (m.dispute === 'upheld')
    w.push('MatchFinalized', {
      occurredAt: instant(56),
      matchId,
      resolution: 'dispute_resolved',
      participantUserIds,
      winnerUserIds: [match.b],
      isDraw: false,
      revision: m.finalizations.length,
    });
}

function matchEvents(w: TournamentWriter, m: MatchPlan, i: number): void {
  const a = w.user(m.a);
  const b = a === w.user(m.b) ? w.user(m.a + 1) : w.user(m.b);
  const participantUserIds = [a, b];
  const matchId = `${w.tournamentId}m${i}`;
  w.push('MatchResultSubmitted', {
    occurredAt: instant(4),
    matchId,
    submittedByUserId: a,
    participantUserIds,
  });
  if (m.bothReport)
    w.push('MatchResultSubmitted', {
      occurredAt: instant(4),
      matchId,
      submittedByUserId: b,
      participantUserIds,
    });
  for (const [revision, f] of m.finalizations.entries())
    w.push('MatchFinalized', finalizationFields(f, { matchId, a, b }, revision));
  disputeEvents(w, m, i, { matchId, b, participantUserIds });
}

function tournamentEvents(prefix: string, index: number, plan: TournamentPlan): ScenarioEvent[] {
  const participants = plan.participants.map((n) => `${prefix}u${n}`);
  const tournamentId = `${prefix}t${index}`;
  const events: ScenarioEvent[] = [];
  const w: TournamentWriter = {
    tournamentId,
    participants,
    user: (n) => participants[n % participants.length] as string,
    push: (detailType, detail) => {
      const game = plan.game === undefined ? {} : { gameId: plan.game };
      events.push({ detailType, detail: { tournamentId, ...game, ...detail } });
    },
  };
  registrationEvents(w, plan);
  for (const [i, m] of plan.matches.entries()) matchEvents(w, m, i);
  for (const [revision, c] of plan.completions.entries())
    w.push('TournamentCompleted', {
      occurredAt: instant(c.minute),
      participantUserIds: participants,
      winnerUserIds: [w.user(c.winner)],
      revision,
    });
  return events;
}

/**
 * Random chaos scenarios: up to three tournaments, each played in a game or in none, over a pool of
 * up to 40 users (registrations, payments, check-in toggles, both sides reporting, finalizations
 * re-done after disputes, upheld and rejected disputes, completions), a few events broken on purpose,
 * each event published 1–5 times, shuffled into segments under changing flag values, with recording
 * and statistics faults.
 */
export function scenarioArbitrary(prefix: string): fc.Arbitrary<Scenario> {
  return fc
    .record({
      tournaments: fc.array(tournamentPlan, { minLength: 1, maxLength: 3 }),
      breakages: fc.array(fc.record({ event: fc.nat(), how: fc.nat({ max: BREAKAGES.length - 1 }) }), {
        maxLength: 3,
      }),
      copies: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 200, maxLength: 200 }),
      shuffleSeed: fc.nat(),
      segments: fc.array(
        fc.record({
          flag: fc.constantFrom('on', 'on', 'true', '100', '75', '40', 'off', 'bogus'),
          weight: fc.integer({ min: 1, max: 4 }),
          batches: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 4 }),
          restartConsumer: fc.boolean(),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      recordFaultRate: fc.constantFrom(0, 0.05, 0.15, 0.3),
      statsFaultRate: fc.constantFrom(0, 0.1, 0.3),
      faultSeed: fc.nat(),
    })
    .map((plan) => {
      const events: ScenarioEvent[] = plan.tournaments.flatMap((t, i) => tournamentEvents(prefix, i, t));
      for (const { event, how } of plan.breakages) {
        const target = events[event % events.length] as ScenarioEvent;
        const [why, breakIt] = BREAKAGES[how] as (typeof BREAKAGES)[number];
        events.push({ detailType: target.detailType, detail: breakIt(target.detail), invalid: why });
      }
      // Every copy of every event, shuffled, then cut into segments and batches.
      const copies: number[] = events.flatMap((_, i) =>
        Array.from({ length: plan.copies[i % plan.copies.length] as number }, () => i),
      );
      const order = shuffled(copies, plan.shuffleSeed);
      const totalWeight = plan.segments.reduce((sum, s) => sum + s.weight, 0);
      const segments: Segment[] = [];
      let start = 0;
      plan.segments.forEach((s, i) => {
        const end =
          i === plan.segments.length - 1
            ? order.length
            : start + Math.round((order.length * s.weight) / totalWeight);
        const slice = order.slice(start, end);
        start = end;
        const per = Math.ceil(slice.length / s.batches.length);
        segments.push({
          flag: s.flag,
          restartConsumer: s.restartConsumer,
          batches: s.batches.map((delayMs, b) => ({ delayMs, copies: slice.slice(b * per, (b + 1) * per) })),
        });
      });
      return {
        events,
        segments,
        recordFaultRate: plan.recordFaultRate,
        statsFaultRate: plan.statsFaultRate,
        faultSeed: plan.faultSeed,
      };
    });
}
